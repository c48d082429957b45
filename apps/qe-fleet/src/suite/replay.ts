import { InvalidOptionsError } from '@agentlink/resilience';
import { prngFor } from './prng';
import type { SuiteTest } from './types';

/** How recorded execution times are replayed. */
export interface ReplayTiming {
  /** Multiplier applied to every recorded time. */
  readonly timeScale: number;
  /** Ceiling of one replayed execution, in ms (FlakeFlagger has tests of 25 minutes). */
  readonly maxTestMs: number;
}

export interface TimingOptions {
  /** Wall-clock the replay should take at most, in ms. */
  readonly durationMs: number;
  /** Tasks that run at once across the fleet (executors × slots). */
  readonly parallelism: number;
}

/** Scales recorded times so the suite's replay takes about `durationMs` on `parallelism` slots. */
export function planReplayTiming(tests: readonly SuiteTest[], options: TimingOptions): ReplayTiming {
  if (!(options.durationMs > 0)) {
    throw new InvalidOptionsError(`durationMs must be positive, got ${options.durationMs}`);
  }
  if (!(options.parallelism >= 1)) {
    throw new InvalidOptionsError(`parallelism must be at least 1, got ${options.parallelism}`);
  }
  const work = options.durationMs * Math.min(options.parallelism, Math.max(1, tests.length));
  // One test may take a tenth of the run, or more when the suite is too small to fill it otherwise.
  const maxTestMs = Math.min(options.durationMs, Math.max(options.durationMs / 10, work / Math.max(1, tests.length)));
  const replayed = (scale: number): number =>
    tests.reduce((sum, t) => sum + Math.min(maxTestMs, t.recordedMs * scale), 0);
  if (tests.every((t) => t.recordedMs <= 0)) return { timeScale: 0, maxTestMs };
  // The ceiling clips long tests, so a plain ratio ran short (420 s asked, 180 s ran): find the
  // scale at which the clipped times add up to the work, by bisection (replayed() only grows).
  let low = 0;
  let high = 1;
  while (replayed(high) < work && high < 1e12) high *= 2;
  for (let i = 0; i < 100 && high - low > high * 1e-9; i += 1) {
    const mid = (low + high) / 2;
    if (replayed(mid) < work) low = mid;
    else high = mid;
  }
  return { timeScale: high, maxTestMs };
}

/** Replayed execution time of one test, in ms. */
export function replayDurationMs(test: SuiteTest, timing: ReplayTiming): number {
  return Math.min(timing.maxTestMs, test.recordedMs * timing.timeScale);
}

/**
 * Whether this execution fails. Depends only on (seed, task, attempt), never on which executor
 * runs it, so a re-dispatched task replays the same outcome. A test fails at the rate its
 * 10,000 recorded reruns show.
 */
export function replayFails(test: SuiteTest, seed: number, taskId: string, attempt: number): boolean {
  if (test.failRate <= 0) return false;
  if (test.failRate >= 1) return true;
  return prngFor(seed, taskId, attempt)() < test.failRate;
}
