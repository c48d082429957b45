import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  HANDSHAKE_DURATION_BUCKETS_SECONDS,
  PREDICTION_LATENCY_BUCKETS_SECONDS,
  REQUEST_DURATION_BUCKETS_SECONDS,
} from './buckets';
import { defineAppCounter, defineAppGauge, type AppMetricContext } from './app-metrics';
import { InvalidTelemetryOptionsError, MetricsAlreadyRegisteredError } from './errors';
import { LabelLimiter } from './label-limiter';
import { detectMemoryLimitBytes } from './memory-limit';
import { METRIC_NAMES as N } from './metric-names';
import type { AppCounter, AppGauge, AppMetricOptions, TelemetryMetricsOptions } from './types';

/** A default metric that always exists; its presence means default metrics were already registered. */
const DEFAULT_METRICS_SENTINEL = 'process_cpu_user_seconds_total';

/** prom-client default gauges that carry a counter's suffix; `sum(nodejs_active_handles)` replaces each. */
const MISNAMED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** The bounded label sets shared by every adapter writing into one TelemetryMetrics. */
export interface TelemetryLabels {
  readonly method: LabelLimiter;
  readonly peer: LabelLimiter;
  readonly code: LabelLimiter;
  readonly reason: LabelLimiter;
  readonly refusalReason: LabelLimiter;
  readonly subject: LabelLimiter;
  readonly breakerKey: LabelLimiter;
  readonly fallbackReason: LabelLimiter;
  readonly model: LabelLimiter;
}

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
    validateOptions(options);
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
    const maxValues = options.maxLabelValues ?? 32;
    const maxPeers = options.maxPeers ?? 64;
    this.labels = {
      method: new LabelLimiter({ allow: options.methods, max: options.maxMethods ?? 32, name: 'maxMethods' }),
      peer: new LabelLimiter({ max: maxPeers, name: 'maxPeers' }),
      code: new LabelLimiter({ max: maxValues, name: 'maxLabelValues' }),
      reason: new LabelLimiter({ max: maxValues, name: 'maxLabelValues' }),
      refusalReason: new LabelLimiter({ max: maxValues, name: 'maxLabelValues' }),
      subject: new LabelLimiter({ max: maxValues, name: 'maxLabelValues' }),
      breakerKey: new LabelLimiter({ max: maxPeers, name: 'maxPeers' }),
      fallbackReason: new LabelLimiter({ max: maxValues, name: 'maxLabelValues' }),
      model: new LabelLimiter({ max: maxValues, name: 'maxLabelValues' }),
    };
    this.peerLabels = options.peerLabels ?? false;
    const peer = this.peerLabels ? ['peer'] : [];

    this.quicConnectionsActive = new Gauge({ name: N.quicConnectionsActive, help: 'Open QUIC connections.', labelNames: ['direction'], registers });
    this.tcpConnectionsActive = new Gauge({ name: N.tcpConnectionsActive, help: 'Open TLS-over-TCP connections.', labelNames: ['direction'], registers });
    for (const direction of ['inbound', 'outbound']) {
      // Present from the first scrape so dashboards and rules see 0 rather than no data.
      this.quicConnectionsActive.set({ direction }, 0);
      this.tcpConnectionsActive.set({ direction }, 0);
    }
    this.connectionsOpened = new Counter({ name: N.connectionsOpened, help: 'Connections opened, by transport and direction.', labelNames: ['transport', 'direction'], registers });
    this.connectionsClosed = new Counter({ name: N.connectionsClosed, help: 'Connections closed, by transport, direction and reason.', labelNames: ['transport', 'direction', 'reason'], registers });
    this.requestDuration = new Histogram({
      name: N.requestDuration,
      help: 'Request/response latency in seconds, by transport, method and outcome.',
      labelNames: ['transport', 'method', 'outcome'],
      buckets: [...REQUEST_DURATION_BUCKETS_SECONDS],
      registers,
    });
    this.networkRtt = new Histogram({
      name: N.networkRtt,
      help: 'Network round trip in seconds: a minimal request (ping) on an open connection, without application work.',
      labelNames: ['transport'],
      buckets: [...REQUEST_DURATION_BUCKETS_SECONDS],
      registers,
    });
    this.handlerDuration = new Histogram({
      name: N.handlerDuration,
      help: 'Application latency in seconds: time a request handler ran, by method and outcome, without the network.',
      labelNames: ['method', 'outcome'],
      buckets: [...REQUEST_DURATION_BUCKETS_SECONDS],
      registers,
    });
    this.messagesSent = new Counter({ name: N.messagesSent, help: 'Messages (frames) sent.', labelNames: ['transport', 'method', ...peer], registers });
    this.messagesReceived = new Counter({ name: N.messagesReceived, help: 'Messages (frames) received.', labelNames: ['transport', 'method', ...peer], registers });
    this.bytesSent = new Counter({ name: N.bytesSent, help: 'Payload bytes sent.', labelNames: ['transport', 'method', ...peer], registers });
    this.bytesReceived = new Counter({ name: N.bytesReceived, help: 'Payload bytes received.', labelNames: ['transport', 'method', ...peer], registers });
    this.errors = new Counter({ name: N.errors, help: 'Transport errors, by error code.', labelNames: ['transport', 'code', ...peer], registers });
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
    this.transportFallbacks = new Counter({ name: N.transportFallbacks, help: 'Dials that fell back from one transport to another.', labelNames: ['from', 'to'], registers });
    // The one fallback there is, at 0 from the first scrape: "no fallback" is data, not a gap.
    this.transportFallbacks.inc({ from: 'quic', to: 'tcp' }, 0);
    this.certificateExpiry = new Gauge({ name: N.certificateExpiry, help: 'Seconds until the certificate expires (negative once expired).', labelNames: ['subject'], registers });

    this.breakerState = new Gauge({ name: N.breakerState, help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.', labelNames: ['key'], registers });
    this.breakerTransitions = new Counter({ name: N.breakerTransitions, help: 'Circuit breaker state transitions.', labelNames: ['from', 'to'], registers });
    this.breakerRejections = new Counter({ name: N.breakerRejections, help: 'Calls rejected by an open circuit breaker.', labelNames: ['key'], registers });

    this.neuralAccuracy = new Gauge({ name: N.neuralAccuracy, help: 'Accuracy (0-1) of the last evaluation on held-out data.', labelNames: ['model'], registers });
    this.neuralBalancedAccuracy = new Gauge({ name: N.neuralBalancedAccuracy, help: 'Balanced accuracy (0-1) of the last evaluation.', labelNames: ['model'], registers });
    this.neuralF1 = new Gauge({ name: N.neuralF1, help: 'F1 score (0-1) of the positive class in the last evaluation.', labelNames: ['model'], registers });
    this.neuralPrecision = new Gauge({ name: N.neuralPrecision, help: 'Precision (0-1) of the positive class in the last evaluation.', labelNames: ['model'], registers });
    this.neuralRecall = new Gauge({ name: N.neuralRecall, help: 'Recall (0-1) of the positive class in the last evaluation.', labelNames: ['model'], registers });
    this.neuralPredictionLatency = new Histogram({
      name: N.neuralPredictionLatency,
      help: 'Time to answer a prediction in seconds, fallback answers included.',
      labelNames: ['model'],
      buckets: [...PREDICTION_LATENCY_BUCKETS_SECONDS],
      registers,
    });
    this.neuralPredictions = new Counter({ name: N.neuralPredictions, help: 'Predictions answered, fallback answers included.', labelNames: ['model'], registers });
    this.neuralFallbacks = new Counter({ name: N.neuralFallbacks, help: 'Predictions answered by the fallback instead of the model, by reason.', labelNames: ['model', 'reason'], registers });

    this.memoryLimit = new Gauge({ name: N.memoryLimit, help: 'Memory the process may use in bytes (cgroup limit or total memory).', registers });
    this.memoryLimit.set(options.memoryLimitBytes ?? detectMemoryLimitBytes());
    this.invalidEvents = new Counter({ name: N.invalidEvents, help: 'Events ignored because their payload was malformed.', labelNames: ['event'], registers });
    this.#appMetrics = {
      registry,
      defaultLabelNames: Object.keys(options.defaultLabels ?? {}),
      maxLabelValues: maxValues,
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
export function createTelemetryMetrics(options: TelemetryMetricsOptions & { registry?: Registry } = {}): TelemetryMetrics {
  return new TelemetryMetrics(options);
}

function validateOptions(options: TelemetryMetricsOptions & { registry?: Registry }): void {
  if (options === null || typeof options !== 'object') {
    throw new InvalidTelemetryOptionsError('options must be an object');
  }
  const limit = options.memoryLimitBytes;
  if (limit !== undefined && !(typeof limit === 'number' && Number.isFinite(limit) && limit > 0)) {
    throw new InvalidTelemetryOptionsError(`memoryLimitBytes must be a positive number of bytes, got ${String(limit)}`);
  }
  // Duck-typed: a registry from another copy of prom-client works too.
  const registry = options.registry as Partial<Registry> | undefined;
  if (registry !== undefined && (typeof registry?.getSingleMetric !== 'function' || typeof registry?.metrics !== 'function')) {
    throw new InvalidTelemetryOptionsError('registry must be a prom-client Registry');
  }
  if (options.defaultLabels !== undefined) {
    const entries = Object.entries(options.defaultLabels ?? {});
    const bad = entries.find(([k, v]) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) || typeof v !== 'string');
    if (bad !== undefined) {
      throw new InvalidTelemetryOptionsError(`defaultLabels entry "${bad[0]}" needs a Prometheus label name and a string value`);
    }
  }
}

/** Puts each event an adapter handles on the invalid-events counter at 0, so it exists from the start. */
export function zeroInvalidEvents(metrics: TelemetryMetrics, handlers: object): void {
  for (const event of Object.keys(handlers)) metrics.invalidEvents.inc({ event }, 0);
}
