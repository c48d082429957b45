/**
 * Request latency buckets in seconds: 1 ms to 10 s, roughly 1-2.5-5 per decade, with 100 ms as
 * an exact bound because the latency alert compares p95 against it.
 */
export const REQUEST_DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Handshake buckets in seconds: a loopback TLS 1.3 handshake is ~1 ms, a lossy QUIC one seconds. */
export const HANDSHAKE_DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Prediction buckets in seconds around the 100 ms performance budget of the model. */
export const PREDICTION_LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1,
];
