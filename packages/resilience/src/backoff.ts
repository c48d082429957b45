import { InvalidOptionsError } from './errors';
import type { Backoff } from './types';

export type JitterMode = 'none' | 'full' | 'equal' | 'decorrelated';

export interface ExponentialBackoffOptions {
  /** Delay before the first retry, in ms. Default 100. */
  readonly initialDelayMs?: number;
  /** Hard cap on any delay, in ms. Default 30,000. */
  readonly maxDelayMs?: number;
  /** Growth factor per attempt. Default 2. */
  readonly multiplier?: number;
  /** Jitter spreads retries of many clients apart. Default 'full'. */
  readonly jitter?: JitterMode;
  /** Source of randomness in [0, 1). Default Math.random; inject a seeded one in tests. */
  readonly random?: () => number;
}

function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionsError(`${name} must be a positive finite number, got ${value}`);
  }
}

/**
 * Exponential backoff with a hard cap and jitter (AWS architecture blog's "full", "equal" and
 * "decorrelated" variants). The returned object is immutable and safe to share.
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): Backoff {
  const initial = options.initialDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 30_000;
  const multiplier = options.multiplier ?? 2;
  const jitter = options.jitter ?? 'full';
  const random = options.random ?? Math.random;
  requirePositive('initialDelayMs', initial);
  requirePositive('maxDelayMs', cap);
  if (!Number.isFinite(multiplier) || multiplier < 1) {
    throw new InvalidOptionsError(`multiplier must be a finite number >= 1, got ${multiplier}`);
  }
  if (initial > cap) throw new InvalidOptionsError(`initialDelayMs (${initial}) exceeds maxDelayMs (${cap})`);
  if (!['none', 'full', 'equal', 'decorrelated'].includes(jitter)) {
    throw new InvalidOptionsError(`jitter must be one of none, full, equal, decorrelated; got ${String(jitter)}`);
  }

  const exponential = (attempt: number): number => {
    // Math.pow overflows to Infinity for large attempts; min() brings it back under the cap.
    return Math.min(cap, initial * Math.pow(multiplier, Math.max(0, attempt - 1)));
  };

  return Object.freeze({
    delay(attempt: number, previousDelayMs?: number): number {
      if (!Number.isInteger(attempt) || attempt < 1) {
        throw new InvalidOptionsError(`attempt must be an integer >= 1, got ${attempt}`);
      }
      switch (jitter) {
        case 'none':
          return exponential(attempt);
        case 'full':
          return random() * exponential(attempt);
        case 'equal': {
          const half = exponential(attempt) / 2;
          return half + random() * half;
        }
        case 'decorrelated': {
          // sleep = min(cap, random_between(base, previous * 3)), seeded with the base delay.
          const previous = previousDelayMs === undefined || previousDelayMs < initial ? initial : previousDelayMs;
          const upper = Math.min(cap, previous * 3);
          return Math.min(cap, initial + random() * (upper - initial));
        }
      }
    },
  });
}

/** A constant delay, handy for tests and fixed-interval polling. */
export function constantBackoff(delayMs: number): Backoff {
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new InvalidOptionsError(`delayMs must be a finite number >= 0, got ${delayMs}`);
  }
  return Object.freeze({ delay: () => delayMs });
}
