import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  HANDSHAKE_DURATION_BUCKETS_SECONDS,
  PREDICTION_LATENCY_BUCKETS_SECONDS,
  REQUEST_DURATION_BUCKETS_SECONDS,
} from './buckets';
import { defineAppCounter, defineAppGauge, type AppMetricContext } from './app-metrics';
import { MetricsAlreadyRegisteredError } from './errors';
import { detectMemoryLimitBytes } from './memory-limit';
import { METRIC_NAMES as N } from './metric-names';
import { createTelemetryLabels } from './telemetry-labels';
import type { AppCounter, AppGauge, AppMetricOptions, TelemetryLabels, TelemetryMetricsOptions } from './types';
import { validateTelemetryOptions } from './validate-telemetry-options';

/** A default metric that always exists; its presence means default metrics were already registered. */
const DEFAULT_METRICS_SENTINEL = 'process_cpu_user_seconds_total';

/** prom-client default gauges that carry a counter's suffix; `sum(nodejs_active_handles)` replaces each. */
const MISNAMED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * One process's metric catalogue on its own prom-client registry. Adapters
 * (`instrumentTransport`, `instrumentBreaker`, `instrumentModel`) write into it; the metrics
 * server reads `registry`.
 */
export class TelemetryMetrics {
  readonly registry: Registry;
  readonly labels: TelemetryLabels;
  /** Whether message, byte and error counters carry a `peer` label. */
  readonly peerLabels: boolean;

  readonly quicConnectionsActive: Gauge<'direction'>;
  readonly tcpConnectionsActive: Gauge<'direction'>;
  readonly connectionsOpened: Counter<'transport' | 'direction'>;
  readonly connectionsClosed: Counter<'transport' | 'direction' | 'reason'>;
  readonly requestDuration: Histogram<'transport' | 'method' | 'outcome'>;
  /** Network latency: round trip of a minimal request (a ping), no application work in it. */
  readonly networkRtt: Histogram<'transport'>;
  /** Application latency: time a request handler ran, by method, no network in it. */
  readonly handlerDuration: Histogram<'method' | 'outcome'>;
  readonly messagesSent: Counter<string>;
  readonly messagesReceived: Counter<string>;
  readonly bytesSent: Counter<string>;
  readonly bytesReceived: Counter<string>;
  readonly errors: Counter<string>;
  readonly certificateRefusals: Counter<'transport' | 'reason'>;
  readonly handshakeDuration: Histogram<'transport' | 'direction'>;
  readonly transportFallbacks: Counter<'from' | 'to'>;
  readonly certificateExpiry: Gauge<'subject'>;

  readonly breakerState: Gauge<'key'>;
  readonly breakerTransitions: Counter<'from' | 'to'>;
  readonly breakerRejections: Counter<'key'>;

  readonly neuralAccuracy: Gauge<'model'>;
  readonly neuralBalancedAccuracy: Gauge<'model'>;
  readonly neuralF1: Gauge<'model'>;
  readonly neuralPrecision: Gauge<'model'>;
  readonly neuralRecall: Gauge<'model'>;
  readonly neuralPredictionLatency: Histogram<'model'>;
  readonly neuralPredictions: Counter<'model'>;
  readonly neuralFallbacks: Counter<'model' | 'reason'>;

  readonly memoryLimit: Gauge;
  readonly invalidEvents: Counter<'event'>;

  readonly #appMetrics: AppMetricContext;

  constructor(options: TelemetryMetricsOptions & { registry?: Registry } = {}) {
    validateTelemetryOptions(options);
    const registry = options.registry ?? new Registry();
    for (const name of Object.values(N)) {
      if (registry.getSingleMetric(name) !== undefined) throw new MetricsAlreadyRegisteredError(name);
    }
    const withDefaults = options.defaultMetrics ?? true;
    if (withDefaults && registry.getSingleMetric(DEFAULT_METRICS_SENTINEL) !== undefined) {
      throw new MetricsAlreadyRegisteredError(DEFAULT_METRICS_SENTINEL);
    }
    if (options.defaultLabels !== undefined) registry.setDefaultLabels(options.defaultLabels);
    this.registry = registry;
    const registers = [registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
      new Gauge({ name, help, labelNames, registers });
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
      new Counter({ name, help, labelNames, registers });
    this.labels = createTelemetryLabels(options);
    this.peerLabels = options.peerLabels ?? false;
    const peer = this.peerLabels ? ['peer'] : [];
    const byMethod = ['transport', 'method', ...peer];

    this.quicConnectionsActive = gauge(N.quicConnectionsActive, 'Open QUIC connections.', ['direction']);
    this.tcpConnectionsActive = gauge(N.tcpConnectionsActive, 'Open TLS-over-TCP connections.', ['direction']);
    for (const direction of ['inbound', 'outbound']) {
      // Present from the first scrape so dashboards and rules see 0 rather than no data.
      this.quicConnectionsActive.set({ direction }, 0);
      this.tcpConnectionsActive.set({ direction }, 0);
    }
    this.connectionsOpened = counter(
      N.connectionsOpened,
      'Connections opened, by transport and direction.',
      ['transport', 'direction'],
    );
    this.connectionsClosed = counter(
      N.connectionsClosed,
      'Connections closed, by transport, direction and reason.',
      ['transport', 'direction', 'reason'],
    );
    this.requestDuration = new Histogram({
      name: N.requestDuration,
      help: 'Request/response latency in seconds, by transport, method and outcome.',
      labelNames: ['transport', 'method', 'outcome'],
      buckets: [...REQUEST_DURATION_BUCKETS_SECONDS],
      registers,
    });
    this.networkRtt = new Histogram({
      name: N.networkRtt,
      help:
        'Network round trip in seconds: a minimal request (ping) on an open connection, without application work.',
      labelNames: ['transport'],
      buckets: [...REQUEST_DURATION_BUCKETS_SECONDS],
      registers,
    });
    this.handlerDuration = new Histogram({
      name: N.handlerDuration,
      help:
        'Application latency in seconds: time a request handler ran, by method and outcome, without the network.',
      labelNames: ['method', 'outcome'],
      buckets: [...REQUEST_DURATION_BUCKETS_SECONDS],
      registers,
    });
    this.messagesSent = counter(N.messagesSent, 'Messages (frames) sent.', byMethod);
    this.messagesReceived = counter(N.messagesReceived, 'Messages (frames) received.', byMethod);
    this.bytesSent = counter(N.bytesSent, 'Payload bytes sent.', byMethod);
    this.bytesReceived = counter(N.bytesReceived, 'Payload bytes received.', byMethod);
    this.errors = counter(N.errors, 'Transport errors, by error code.', ['transport', 'code', ...peer]);
    this.certificateRefusals = new Counter({
      name: N.certificateRefusals,
      help: 'Peer certificates this agent refused, by transport and rule.',
      labelNames: ['transport', 'reason'],
      registers,
    });
    this.handshakeDuration = new Histogram({
      name: N.handshakeDuration,
      help: 'Connection handshake duration in seconds.',
      labelNames: ['transport', 'direction'],
      buckets: [...HANDSHAKE_DURATION_BUCKETS_SECONDS],
      registers,
    });
    this.transportFallbacks = counter(
      N.transportFallbacks,
      'Dials that fell back from one transport to another.',
      ['from', 'to'],
    );
    // The one fallback there is, at 0 from the first scrape: "no fallback" is data, not a gap.
    this.transportFallbacks.inc({ from: 'quic', to: 'tcp' }, 0);
    this.certificateExpiry = gauge(
      N.certificateExpiry,
      'Seconds until the certificate expires (negative once expired).',
      ['subject'],
    );

    this.breakerState = gauge(N.breakerState, 'Circuit breaker state: 0 closed, 1 half-open, 2 open.', ['key']);
    this.breakerTransitions = counter(N.breakerTransitions, 'Circuit breaker state transitions.', ['from', 'to']);
    this.breakerRejections = counter(N.breakerRejections, 'Calls rejected by an open circuit breaker.', ['key']);

    const model = ['model'] as const;
    this.neuralAccuracy = gauge(N.neuralAccuracy, 'Accuracy (0-1) of the last evaluation on held-out data.', model);
    this.neuralBalancedAccuracy = gauge(
      N.neuralBalancedAccuracy,
      'Balanced accuracy (0-1) of the last evaluation.',
      model,
    );
    this.neuralF1 = gauge(N.neuralF1, 'F1 score (0-1) of the positive class in the last evaluation.', model);
    this.neuralPrecision = gauge(
      N.neuralPrecision,
      'Precision (0-1) of the positive class in the last evaluation.',
      model,
    );
    this.neuralRecall = gauge(N.neuralRecall, 'Recall (0-1) of the positive class in the last evaluation.', model);
    this.neuralPredictionLatency = new Histogram({
      name: N.neuralPredictionLatency,
      help: 'Time to answer a prediction in seconds, fallback answers included.',
      labelNames: ['model'],
      buckets: [...PREDICTION_LATENCY_BUCKETS_SECONDS],
      registers,
    });
    this.neuralPredictions = counter(N.neuralPredictions, 'Predictions answered, fallback answers included.', model);
    this.neuralFallbacks = counter(
      N.neuralFallbacks,
      'Predictions answered by the fallback instead of the model, by reason.',
      ['model', 'reason'],
    );

    this.memoryLimit = new Gauge({
      name: N.memoryLimit,
      help: 'Memory the process may use in bytes (cgroup limit or total memory).',
      registers,
    });
    this.memoryLimit.set(options.memoryLimitBytes ?? detectMemoryLimitBytes());
    this.invalidEvents = counter(N.invalidEvents, 'Events ignored because their payload was malformed.', ['event']);
    this.#appMetrics = {
      registry,
      defaultLabelNames: Object.keys(options.defaultLabels ?? {}),
      maxLabelValues: options.maxLabelValues ?? 32,
      onInvalid: (name) => this.invalidEvents.inc({ event: name }),
    };

    if (withDefaults) {
      collectDefaultMetrics({ register: registry });
      // prom-client names these gauges *_total, which Prometheus reserves for counters
      // (promtool check metrics flags them); the per-type gauges without the suffix stay.
      for (const name of MISNAMED_DEFAULT_METRICS) registry.removeSingleMetric(name);
    }
  }

  /** Content type of `metrics()` (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Registers an application counter on this registry (name ending in `_total`). Throws
   * InvalidTelemetryOptionsError for a bad definition, MetricsAlreadyRegisteredError for a taken name.
   */
  defineCounter(options: AppMetricOptions): AppCounter {
    return defineAppCounter(this.#appMetrics, options);
  }

  /** Registers an application gauge on this registry; throws like `defineCounter`. */
  defineGauge(options: AppMetricOptions): AppGauge {
    return defineAppGauge(this.#appMetrics, options);
  }

  /** The exposition text a scrape returns. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Creates a TelemetryMetrics on a fresh registry (or the given one). */
export function createTelemetryMetrics(
  options: TelemetryMetricsOptions & { registry?: Registry } = {},
): TelemetryMetrics {
  return new TelemetryMetrics(options);
}

/** Puts each event an adapter handles on the invalid-events counter at 0, so it exists from the start. */
export function zeroInvalidEvents(metrics: TelemetryMetrics, handlers: object): void {
  for (const event of Object.keys(handlers)) metrics.invalidEvents.inc({ event }, 0);
}
