import { InvalidOptionsError } from '@agentlink/resilience';
import { createPrng } from './prng';
import type { SuiteTest } from './types';

export interface SampleOptions {
  /** Number of tests in the suite. */
  readonly size: number;
  /** Run seed; same seed and data, same suite. */
  readonly seed: number;
  /** Share of the suite drawn from flaky tests (FlakeFlagger has ~4 %). Default 0.3. */
  readonly flakyShare?: number;
  /**
   * Share drawn from tests that failed every recorded run (real failures the analyser must not
   * excuse). Default 0.05.
   */
  readonly brokenShare?: number;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * Draws a seeded suite in which flaky tests (and always-failing ones) are over-represented,
 * so that a run of a few hundred tests shows flaky failures worth analysing. Returned in a
 * seeded random order.
 */
export function sampleSuite(all: readonly SuiteTest[], options: SampleOptions): SuiteTest[] {
  const flakyShare = options.flakyShare ?? 0.3;
  const brokenShare = options.brokenShare ?? 0.05;
  if (!Number.isInteger(options.size) || options.size < 1) {
    throw new InvalidOptionsError(`suite size must be a positive integer, got ${options.size}`);
  }
  if (options.size > all.length) {
    throw new InvalidOptionsError(`suite size ${options.size} exceeds the ${all.length} tests available`);
  }
  for (const [name, share] of [
    ['flakyShare', flakyShare],
    ['brokenShare', brokenShare],
  ] as const) {
    if (!(share >= 0 && share <= 1)) throw new InvalidOptionsError(`${name} must be in [0, 1], got ${share}`);
  }
  const random = createPrng(options.seed);
  const flaky = shuffled(all.filter((t) => t.flaky), random);
  const broken = shuffled(all.filter((t) => !t.flaky && t.failRate >= 1), random);
  const stable = shuffled(all.filter((t) => !t.flaky && t.failRate < 1), random);
  const wantFlaky = Math.min(flaky.length, Math.round(options.size * flakyShare));
  const wantBroken = Math.min(broken.length, Math.round(options.size * brokenShare));
  const picked = [...flaky.slice(0, wantFlaky), ...broken.slice(0, wantBroken)];
  picked.push(...stable.slice(0, options.size - picked.length));
  return shuffled(picked, random);
}

/** Every test not in the suite: the honest training set for a model judged on the suite. */
export function excludeSuite(all: readonly SuiteTest[], suite: readonly SuiteTest[]): SuiteTest[] {
  const ids = new Set(suite.map((t) => t.id));
  return all.filter((t) => !ids.has(t.id));
}
