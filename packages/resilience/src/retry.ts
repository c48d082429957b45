import { exponentialBackoff } from './backoff';
import { classifyError } from './classify';
import { AbortedError, InvalidOptionsError, RetriesExhaustedError } from './errors';
import { sleep } from './sleep';
import type { AttemptReport, Backoff, Classification, Policy } from './types';

export interface RetryOptions {
  /** Total attempts including the first. Default 3. */
  readonly maxAttempts?: number;
  /** Wall-clock budget for all attempts and waits, in ms. Default unlimited. */
  readonly budgetMs?: number;
  /** Delay schedule. Default: exponentialBackoff() (100 ms doubling, 30 s cap, full jitter). */
  readonly backoff?: Backoff;
  /** Decides which failures are worth another attempt. Default classifyError. */
  readonly classify?: (err: unknown) => Classification;
  /** Called after each failed attempt. */
  readonly onAttempt?: (report: AttemptReport) => void;
}

export interface RetryContext {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Aborted when the caller aborts; pass it on to the I/O the attempt does. */
  readonly signal: AbortSignal;
}

function validate(options: RetryOptions): void {
  const { maxAttempts, budgetMs } = options;
  if (maxAttempts !== undefined && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
    throw new InvalidOptionsError(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  }
  if (budgetMs !== undefined && (Number.isNaN(budgetMs) || budgetMs <= 0)) {
    throw new InvalidOptionsError(`budgetMs must be a positive number, got ${budgetMs}`);
  }
}

/**
 * Runs `fn` until it succeeds, a permanent error occurs (rethrown as is), attempts or the
 * budget run out (RetriesExhaustedError with the last error as cause), or `signal` aborts
 * (AbortedError). Each call has its own attempt count and budget.
 */
export async function retry<T>(
  fn: (context: RetryContext) => Promise<T>,
  options: RetryOptions & { signal?: AbortSignal } = {},
): Promise<T> {
  validate(options);
  const maxAttempts = options.maxAttempts ?? 3;
  const budgetMs = options.budgetMs ?? Infinity;
  const backoff = options.backoff ?? exponentialBackoff();
  const classify = options.classify ?? classifyError;
  const signal = options.signal ?? new AbortController().signal;
  const started = performance.now();
  let previousDelay: number | undefined;

  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw new AbortedError(signal.reason);
    try {
      return await fn({ attempt, signal });
    } catch (error) {
      if (signal.aborted) throw new AbortedError(signal.reason);
      const classification = classify(error);
      const elapsedMs = performance.now() - started;
      let nextDelayMs: number | undefined;
      let exhausted: 'attempts' | 'budget' | undefined;
      if (classification.retryable) {
        if (attempt >= maxAttempts) exhausted = 'attempts';
        else {
          nextDelayMs = backoff.delay(attempt, previousDelay);
          if (elapsedMs + nextDelayMs >= budgetMs) {
            exhausted = 'budget';
            nextDelayMs = undefined;
          }
        }
      }
      options.onAttempt?.({ attempt, error, classification, nextDelayMs, elapsedMs });
      if (!classification.retryable) throw error;
      if (exhausted) throw new RetriesExhaustedError(attempt, exhausted, error);
      previousDelay = nextDelayMs;
      await sleep(nextDelayMs!, signal);
    }
  }
}

/** A reusable retry policy for `wrap`. */
export function retryPolicy(options: RetryOptions = {}): Policy {
  validate(options);
  return {
    execute: (fn, signal) => retry(({ signal: s }) => fn(s), { ...options, signal }),
  };
}
