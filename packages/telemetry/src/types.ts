/**
 * Structural types of the things telemetry observes. Telemetry never imports the transport,
 * resilience or learning packages: anything with `on`/`off` that emits these payloads fits.
 */
import type { LabelLimiter } from './label-limiter';

/** Which wire a transport event came from. */
export type TransportKind = 'quic' | 'tcp';

/** Who opened the connection. */
export type ConnectionDirection = 'inbound' | 'outbound';

/** How a request/response exchange ended. */
export type RequestOutcome = 'ok' | 'error' | 'timeout';

/** Circuit breaker states as reported by @agentlink/resilience. */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface ConnectionOpenedEvent {
  transport: TransportKind;
  peer: string;
  direction: ConnectionDirection;
  /** Handshake duration in milliseconds. */
  handshakeMs: number;
}

export interface ConnectionClosedEvent {
  transport: TransportKind;
  peer: string;
  direction: ConnectionDirection;
  reason: string;
}

/** One frame/message written to or read from the wire. */
export interface MessageEvent {
  transport: TransportKind;
  peer: string;
  method: string;
  /** Payload size on the wire in bytes. */
  bytes: number;
}

export interface RequestCompletedEvent {
  transport: TransportKind;
  peer: string;
  method: string;
  /** Time from sending the request to its outcome, in milliseconds. */
  latencyMs: number;
  outcome: RequestOutcome;
}

/** A round trip of a minimal request (a ping) on an open connection: network latency only. */
export interface RoundTripEvent {
  transport: TransportKind;
  peer?: string;
  /** Round trip in milliseconds. */
  rttMs: number;
}

/** A request handler finished (server side): application latency only. */
export interface RequestHandledEvent {
  method: string;
  /** Time the handler ran, in milliseconds. */
  handlerMs: number;
  outcome: 'ok' | 'error';
}

export interface TransportErrorEvent {
  transport: TransportKind;
  peer?: string;
  code: string;
  /** Set when the transport refused the peer's certificate: the rule (a small fixed set), 'chain' or 'identity'. */
  reason?: string;
}

export interface CertificateExpiryEvent {
  subject: string;
  /** Seconds until the certificate's notAfter; negative once expired. */
  secondsLeft: number;
}

export interface FallbackEvent {
  from: 'quic';
  to: 'tcp';
  peer: string;
}

/** Event names and payloads a transport emits. */
export interface TransportEventMap {
  connectionOpened: ConnectionOpenedEvent;
  connectionClosed: ConnectionClosedEvent;
  messageSent: MessageEvent;
  messageReceived: MessageEvent;
  requestCompleted: RequestCompletedEvent;
  transportError: TransportErrorEvent;
  certificateExpiry: CertificateExpiryEvent;
  fallback: FallbackEvent;
  /** Emitted by whatever measures it (e.g. an app's ping probe), on the same source. */
  roundTrip: RoundTripEvent;
  /** Emitted by whatever runs the handlers (e.g. an app's message layer), on the same source. */
  requestHandled: RequestHandledEvent;
}

export interface BreakerStateChangeEvent {
  key?: string;
  from: BreakerState;
  to: BreakerState;
}

export interface BreakerRejectedEvent {
  key?: string;
}

/** A breaker group made the breaker of a new key (it starts closed). */
export interface BreakerCreatedEvent {
  key: string;
}

/** Event names and payloads a circuit breaker (or breaker group) emits. */
export interface BreakerEventMap {
  stateChange: BreakerStateChangeEvent;
  rejected: BreakerRejectedEvent;
  created: BreakerCreatedEvent;
}

export interface PredictionEvent {
  /** Time to answer, in milliseconds, including a fallback answer. */
  latencyMs: number;
  /** True when the answer came from the fallback instead of the model. */
  fallback: boolean;
  /** Why the fallback was used, e.g. 'deadline' or 'model-error'. */
  reason?: string;
}

/** Ratios in [0, 1] from an evaluation on held-out data. */
export interface EvaluationEvent {
  accuracy: number;
  balancedAccuracy?: number;
  f1?: number;
  precision?: number;
  recall?: number;
}

/** Event names and payloads a model emits. */
export interface ModelEventMap {
  prediction: PredictionEvent;
  evaluation: EvaluationEvent;
}

/**
 * The smallest EventEmitter surface telemetry needs. A node:events EventEmitter fits, and so
 * does any object whose `on`/`off` accept a listener of one argument.
 */
export interface EventSource {
  on(event: string, listener: (payload: unknown) => void): unknown;
  off(event: string, listener: (payload: unknown) => void): unknown;
}

/** Removes every listener an `instrument*` call added. Calling it twice is harmless. */
export type Detach = () => void;

/** Options of `createTelemetryMetrics`. */
export interface TelemetryMetricsOptions {
  /** Labels added to every series (e.g. `{ agent: 'coordinator' }`). Default: none. */
  defaultLabels?: Record<string, string>;
  /** Register prom-client's process and Node.js metrics. Default: true. */
  defaultMetrics?: boolean;
  /**
   * Memory the process may use, in bytes, exported as `agentlink_memory_limit_bytes` for the
   * memory alert. Default: the cgroup limit when there is one, else `os.totalmem()`.
   */
  memoryLimitBytes?: number;
  /**
   * Allow-list of `method` label values; any other method is labelled 'other'. Default: none,
   * the first `maxMethods` distinct methods get their own label.
   */
  methods?: readonly string[];
  /** Distinct `method` label values before the rest become 'other'. Default: 32. */
  maxMethods?: number;
  /**
   * Add a `peer` label to message, byte and error counters. Only for small fleets: every peer
   * multiplies those series. Default: false.
   */
  peerLabels?: boolean;
  /** Distinct `peer` (and breaker `key`) label values before the rest become 'other'. Default: 64. */
  maxPeers?: number;
  /**
   * Distinct values of other free-text labels (error code, close reason, certificate refusal
   * reason, subject, fallback reason). Default: 32.
   */
  maxLabelValues?: number;
}

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

/** Options of `instrumentModel`. */
export interface ModelInstrumentationOptions {
  /** Value of the `model` label. Default: 'default'. */
  model?: string;
}

/** Options of `startMetricsServer`. */
export interface MetricsServerOptions {
  /** Registry whose exposition `/metrics` serves (`TelemetryMetrics.registry`). */
  registry: {
    metrics(): Promise<string>;
    readonly contentType: string;
  };
  /** Address to listen on. Default: '127.0.0.1'. */
  host?: string;
  /** TCP port; 0 picks a free one. Default: 0. */
  port?: number;
  /** Decides `/readyz`: 200 when it returns true, 503 otherwise. Default: always ready. */
  readiness?: () => boolean | Promise<boolean>;
}

/** A running metrics HTTP server. */
export interface MetricsServer {
  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes every connection, idle keep-alive ones included. Idempotent. */
  close(): Promise<void>;
}

/** Label values of one series of an application metric, by label name. Numbers are stringified. */
export type AppMetricLabels = Readonly<Record<string, string | number>>;

/** One series reported by an application metric's `collect`. */
export interface AppMetricSample {
  /** Values of some or all of the metric's `labelNames`. Default: none. */
  labels?: AppMetricLabels;
  value: number;
}

/** Options of `TelemetryMetrics.defineCounter` and `defineGauge`. */
export interface AppMetricOptions {
  /**
   * Metric name in snake_case (`[a-zA-Z_][a-zA-Z0-9_]*`, no `:`), with base units spelt out.
   * Counters end in `_total`, gauges do not; neither ends in `_bucket`, `_count` or `_sum`.
   */
  name: string;
  /** The `# HELP` text: what one unit of the metric means. */
  help: string;
  /** Label names (snake_case, not `le`, `quantile`, `__*` or a default label). Default: none. */
  labelNames?: readonly string[];
  /**
   * Distinct values per label before the rest are recorded as 'other'. Default: the
   * `maxLabelValues` of the TelemetryMetrics (32).
   */
  maxLabelValues?: number;
  /**
   * Read at every scrape: the metric's value (unlabelled) or one sample per series. Its answer
   * replaces every series of the metric; samples with the same labels are added up. For a
   * counter it mirrors a count kept elsewhere and must not decrease. Default: none, the metric
   * holds what `inc`/`set` recorded.
   */
  collect?: () => number | readonly AppMetricSample[];
}

/** A counter an application defined on a TelemetryMetrics. */
export interface AppCounter {
  readonly name: string;
  /** Adds `value` (default 1, finite and >= 0) to the series of `labels`. */
  inc(value?: number): void;
  inc(labels: AppMetricLabels | undefined, value?: number): void;
}

/** A gauge an application defined on a TelemetryMetrics. */
export interface AppGauge {
  readonly name: string;
  /** Sets the series of `labels` to `value` (finite). */
  set(value: number): void;
  set(labels: AppMetricLabels | undefined, value: number): void;
}
