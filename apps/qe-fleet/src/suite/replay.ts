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
  if (!(options.durationMs > 0)) throw new InvalidOptionsError(`durationMs must be positive, got ${options.durationMs}`);
  if (!(options.parallelism >= 1)) throw new InvalidOptionsError(`parallelism must be at least 1, got ${options.parallelism}`);
  const maxTestMs = Math.max(1, options.durationMs / 10);
  const recorded = tests.reduce((sum, t) => sum + t.recordedMs, 0);
  const timeScale = recorded === 0 ? 0 : (options.durationMs * options.parallelism) / recorded;
  return { timeScale, maxTestMs };
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
