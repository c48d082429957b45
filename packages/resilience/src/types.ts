/** Whether an error is worth retrying, and why. */
export interface Classification {
  readonly retryable: boolean;
  /** Short machine-readable reason, e.g. 'ECONNRESET', 'tls', 'programmer-error'. */
  readonly reason: string;
  /**
   * The failure is the peer's: every temporary failure, and certificate/TLS refusals, which are
   * permanent (not retried) but must still open that peer's breaker rather than be retried by
   * the caller in a tight loop. Validation and programmer errors are not.
   */
  readonly peerFailure: boolean;
}

/** An immutable delay schedule. `attempt` is 1 for the delay before the first retry. */
export interface Backoff {
  delay(attempt: number, previousDelayMs?: number): number;
}

/** Anything that can run a call on the caller's behalf: deadline, retry, breaker, bulkhead. */
export interface Policy {
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** What `retry` reports after every failed attempt. */
export interface AttemptReport {
  readonly attempt: number;
  readonly error: unknown;
  readonly classification: Classification;
  /** Delay before the next attempt, or undefined when retry gives up. */
  readonly nextDelayMs: number | undefined;
  readonly elapsedMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerStateChange {
  readonly key: string | undefined;
  readonly from: BreakerState;
  readonly to: BreakerState;
}

export interface BreakerCallEvent {
  readonly key: string | undefined;
}

export interface BreakerFailureEvent extends BreakerCallEvent {
  readonly error: unknown;
  readonly latencyMs: number;
}

export interface BreakerSuccessEvent extends BreakerCallEvent {
  readonly latencyMs: number;
}

/** Events of a circuit breaker and of a breaker group (which adds the key). */
export interface BreakerEvents {
  stateChange: [BreakerStateChange];
  rejected: [BreakerCallEvent];
  success: [BreakerSuccessEvent];
  failure: [BreakerFailureEvent];
  /** A BreakerGroup made the (closed) breaker of a new key. */
  created: [{ key: string }];
}
