/**
 * @agentlink/resilience: error classification, capped and jittered backoff, per-call retry,
 * deadlines, a bulkhead and circuit breakers (on opossum) that compose with `wrap`.
 *
 * @example
 * ```ts
 * import { BreakerGroup, deadlinePolicy, exponentialBackoff, retryPolicy, wrap } from '@agentlink/resilience';
 *
 * const breakers = new BreakerGroup({ volumeThreshold: 10, resetTimeoutMs: 5_000 });
 * const policy = wrap(
 *   deadlinePolicy(2_000),
 *   retryPolicy({ maxAttempts: 4, backoff: exponentialBackoff({ maxDelayMs: 1_000, jitter: 'full' }) }),
 *   breakers.get('executor-1'),
 * );
 * const answer = await policy.execute((signal) => fetch('http://127.0.0.1:8080/', { signal }).then((r) => r.text()));
 * breakers.close();
 * ```
 */
export { BreakerGroup, type BreakerGroupOptions } from './breaker-group';
export { Bulkhead, type BulkheadOptions } from './bulkhead';
export { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker';
export { classifyError, isPeerFailure, isRetryableError } from './classify';
export { constantBackoff, exponentialBackoff, type ExponentialBackoffOptions, type JitterMode } from './backoff';
export { deadlinePolicy, withDeadline, type DeadlineOptions } from './deadline';
export {
  AbortedError,
  AgentlinkError,
  BreakerOpenError,
  BulkheadRejectedError,
  DeadlineExceededError,
  InvalidOptionsError,
  RetriesExhaustedError,
} from './errors';
export { retry, retryPolicy, type RetryContext, type RetryOptions } from './retry';
export { seededRandom, type Random } from './seeded-random';
export { sleep } from './sleep';
export type {
  AttemptReport,
  Backoff,
  BreakerCallEvent,
  BreakerEvents,
  BreakerFailureEvent,
  BreakerState,
  BreakerStateChange,
  BreakerSuccessEvent,
  Classification,
  Policy,
} from './types';
export { wrap } from './wrap';
