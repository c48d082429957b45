import { exponentialBackoff, retry } from '@agentlink/resilience';
import type { FleetLink } from './fleet-link';

/** How hard an executor tries to have its result booked. */
export interface DeliverResultOptions {
  /** Stops the retries (the executor is closing); the coordinator then re-dispatches the task. */
  readonly signal: AbortSignal;
  /** Deadline of one delivery attempt, in ms. */
  readonly attemptTimeoutMs: number;
  /** Total time spent retrying, in ms. */
  readonly budgetMs: number;
  /** Cap of the backoff between attempts, in ms (starts at 50 ms, full jitter). */
  readonly maxDelayMs: number;
  /** Called after each failed attempt (the executors count their result re-sends). */
  readonly onAttempt?: () => void;
}

/**
 * Sends an executor's result to the coordinator until it answers (books it, or knows it as a
 * duplicate): every failure counts as retryable, since a result given up on is a task run twice.
 */
export async function deliverResult(
  link: FleetLink,
  coordinatorId: string,
  method: string,
  result: unknown,
  options: DeliverResultOptions,
): Promise<void> {
  await retry(
    ({ signal }) => link.request(coordinatorId, method, result, { timeoutMs: options.attemptTimeoutMs, signal }),
    {
      maxAttempts: 1_000,
      budgetMs: options.budgetMs,
      signal: options.signal,
      backoff: exponentialBackoff({ initialDelayMs: 50, maxDelayMs: options.maxDelayMs, jitter: 'full' }),
      classify: () => ({ retryable: true, reason: 'result-not-booked', peerFailure: true }),
      onAttempt: options.onAttempt,
    },
  );
}
