import type { Policy } from './types';

/**
 * Composes policies outermost first: `wrap(deadline, retry, breaker).execute(fn)` gives the
 * whole call one deadline, retries inside it, and sends every attempt through the breaker.
 */
export function wrap(...policies: Policy[]): Policy {
  return {
    execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
      const run = policies.reduceRight<(s: AbortSignal | undefined) => Promise<T>>(
        (inner, policy) => (s) => policy.execute((next) => inner(next), s),
        (s) => fn(s ?? new AbortController().signal),
      );
      return run(signal);
    },
  };
}
