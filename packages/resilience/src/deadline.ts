import { AbortedError, DeadlineExceededError, InvalidOptionsError } from './errors';
import type { Policy } from './types';

export interface DeadlineOptions<T> {
  /** The caller's own cancellation; aborting it rejects with AbortedError. */
  readonly signal?: AbortSignal;
  /** Answer to give instead of failing when the deadline passes or `fn` fails. */
  readonly fallback?: (error: unknown) => T | Promise<T>;
}

function requireDeadline(ms: number): void {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new InvalidOptionsError(`deadline must be a positive number of ms, got ${ms}`);
}

/**
 * Runs `fn` with a performance budget of `ms`. When the budget runs out the signal given to
 * `fn` aborts (so it can stop its work) and the call rejects with DeadlineExceededError, or
 * resolves with `fallback(error)` when one is given.
 */
export async function withDeadline<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  ms: number,
  options: DeadlineOptions<T> = {},
): Promise<T> {
  requireDeadline(ms);
  const outer = options.signal;
  if (outer?.aborted) throw new AbortedError(outer.reason);
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;

  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceededError(ms);
      controller.abort(error);
      reject(error);
    }, ms);
    onAbort = () => {
      controller.abort(outer!.reason);
      reject(new AbortedError(outer!.reason));
    };
    outer?.addEventListener('abort', onAbort, { once: true });
  });

  try {
    return await Promise.race([Promise.resolve().then(() => fn(controller.signal)), stop]);
  } catch (error) {
    if (options.fallback && !(error instanceof AbortedError)) return await options.fallback(error);
    throw error;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort!);
  }
}

/** A reusable deadline policy for `wrap`. */
export function deadlinePolicy(ms: number): Policy {
  requireDeadline(ms);
  return { execute: (fn, signal) => withDeadline(fn, ms, { signal }) };
}
