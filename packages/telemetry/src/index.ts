/**
 * @agentlink/telemetry — Prometheus metrics for an agentlink process: a metric catalogue on its
 * own prom-client registry, adapters that count a transport's, a circuit breaker's and a
 * model's events (structural types, no imports of those packages), the application's own counters
 * and gauges (`defineCounter`, `defineGauge`), and a node:http server for `/metrics`, `/healthz`
 * and `/readyz`.
 *
 * @example
 * ```ts
 * import { EventEmitter } from 'node:events';
 * import { createTelemetryMetrics, instrumentTransport, startMetricsServer } from '@agentlink/telemetry';
 *
 * const metrics = createTelemetryMetrics({ defaultLabels: { agent: 'coordinator' } });
 * const transport = new EventEmitter(); // or a @agentlink/transport instance
 * const detach = instrumentTransport(transport, metrics);
 * transport.emit('messageSent', { transport: 'quic', peer: 'executor-1', method: 'task.run', bytes: 512 });
 *
 * // The application's own metrics, on the same registry.
 * const jobs = metrics.defineCounter({ name: 'app_jobs_total', help: 'Jobs done.', labelNames: ['outcome'] });
 * jobs.inc({ outcome: 'ok' });
 * metrics.defineGauge({ name: 'app_queue_length', help: 'Jobs waiting.', collect: () => 3 });
 *
 * const server = await startMetricsServer({ registry: metrics.registry, port: 9464 });
 * console.log(await (await fetch(`${server.url}/metrics`)).text());
 * detach();
 * await server.close();
 * ```
 */
export { createTelemetryMetrics, TelemetryMetrics } from './telemetry-metrics';
export { instrumentTransport } from './instrument-transport';
export { instrumentBreaker, DEFAULT_BREAKER_KEY } from './instrument-breaker';
export { instrumentModel } from './instrument-model';
export { startMetricsServer } from './metrics-server';
export { LabelLimiter, OVERFLOW_LABEL } from './label-limiter';
export { detectMemoryLimitBytes } from './memory-limit';
export type { TextFileReader } from './memory-limit';
export { METRIC_NAMES, BREAKER_STATE_VALUE } from './metric-names';
export {
  HANDSHAKE_DURATION_BUCKETS_SECONDS,
  PREDICTION_LATENCY_BUCKETS_SECONDS,
  REQUEST_DURATION_BUCKETS_SECONDS,
} from './buckets';
export {
  TelemetryError,
  InvalidTelemetryOptionsError,
  MetricsAlreadyRegisteredError,
  MetricsServerListenError,
} from './errors';
export type * from './types';
