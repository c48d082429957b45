/**
 * Base of telemetry's typed errors. Same shape as @agentlink/resilience's AgentlinkError
 * (`code`, `retryable`, `cause`), which telemetry may not import.
 */
export class TelemetryError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable;
  }
}

/** Options passed to a telemetry factory were invalid. Fix the configuration. */
export class InvalidTelemetryOptionsError extends TelemetryError {
  constructor(message: string) {
    super('ERR_INVALID_OPTIONS', message, { retryable: false });
  }
}

/**
 * The registry already holds a metric of the same name: two telemetry instances on one registry,
 * or an application metric defined twice or named like a catalogue metric.
 */
export class MetricsAlreadyRegisteredError extends TelemetryError {
  constructor(
    readonly metricName: string,
    cause?: unknown,
  ) {
    super(
      'ERR_METRICS_ALREADY_REGISTERED',
      `metric "${metricName}" is already registered in this registry; define each application metric once ` +
        'under a name of its own, and create one TelemetryMetrics per registry ' +
        '(omit the registry option to get a fresh one)',
      { retryable: false, cause },
    );
  }
}

/** The metrics HTTP server could not listen on its address. */
export class MetricsServerListenError extends TelemetryError {
  constructor(
    readonly host: string,
    readonly port: number,
    cause: unknown,
  ) {
    const code = (cause as { code?: unknown } | null)?.code;
    super(
      'ERR_METRICS_SERVER_LISTEN',
      `metrics server could not listen on ${host}:${port} (${String(code ?? cause)}); ` +
        'pick a free port or another host',
      // A busy port may free up; a bad address or missing permission will not.
      { retryable: code === 'EADDRINUSE', cause },
    );
  }
}
