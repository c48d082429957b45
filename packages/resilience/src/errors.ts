/**
 * Base class of every typed error in agentlink. `code` is stable and safe to switch on;
 * `retryable` says whether trying again later can succeed, and is what `classifyError`
 * reads for our own errors.
 */
export class AgentlinkError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  /**
   * Whether the failure is the peer's (unreachable, or refused for its certificate) and so counts
   * towards that peer's circuit breaker. Defaults to `retryable`: a refused certificate is
   * permanent (never retried) yet still a peer failure.
   */
  readonly peerFailure: boolean;

  constructor(code: string, message: string, options: { retryable: boolean; peerFailure?: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable;
    this.peerFailure = options.peerFailure ?? options.retryable;
  }
}

/** Options passed to a constructor or factory were invalid. Fix the configuration. */
export class InvalidOptionsError extends AgentlinkError {
  constructor(message: string) {
    super('ERR_INVALID_OPTIONS', message, { retryable: false });
  }
}

/** A call was rejected without being run because the circuit breaker is open. */
export class BreakerOpenError extends AgentlinkError {
  constructor(
    readonly key: string | undefined,
    cause?: unknown,
  ) {
    super(
      'ERR_BREAKER_OPEN',
      `circuit breaker${key === undefined ? '' : ` for "${key}"`} is open; ` +
        'the call was not run, try again after the reset timeout',
      { retryable: true, cause },
    );
  }
}

/** A call did not finish within its deadline (performance budget). */
export class DeadlineExceededError extends AgentlinkError {
  constructor(readonly deadlineMs: number) {
    super('ERR_DEADLINE_EXCEEDED', `call did not finish within its ${deadlineMs} ms deadline`, { retryable: true });
  }
}

/** A call was rejected because the bulkhead's concurrency limit and queue were both full. */
export class BulkheadRejectedError extends AgentlinkError {
  constructor(
    readonly maxConcurrent: number,
    readonly maxQueue: number,
  ) {
    super(
      'ERR_BULKHEAD_FULL',
      `bulkhead is full (${maxConcurrent} running, ${maxQueue} queued); shed load or raise the limits`,
      { retryable: true },
    );
  }
}

/** A call was cancelled through its AbortSignal. */
export class AbortedError extends AgentlinkError {
  constructor(cause?: unknown) {
    super('ERR_ABORTED', 'the operation was aborted by its caller', { retryable: false, cause });
  }
}

/** Retry gave up: attempts or the time budget ran out. The last failure is the `cause`. */
export class RetriesExhaustedError extends AgentlinkError {
  constructor(
    readonly attempts: number,
    readonly reason: 'attempts' | 'budget',
    cause: unknown,
  ) {
    super(
      'ERR_RETRIES_EXHAUSTED',
      `gave up after ${attempts} attempt(s): ${reason === 'attempts' ? 'attempt limit reached' : 'time budget spent'}`,
      { retryable: false, cause },
    );
  }
}
