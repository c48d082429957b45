import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's examples/flaky-project. */
export const FLAKY_PROJECT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../examples/flaky-project',
);

interface FlakeEntry {
  readonly key: string;
  readonly runner: string;
  readonly file: string;
  readonly test: string;
  readonly cause: string;
  readonly probability: number;
}

const require = createRequire(import.meta.url);
export const FLAKES = require(path.join(FLAKY_PROJECT, 'flakes.json')) as {
  flaky: FlakeEntry[];
  realFailures: Array<{ file: string; test: string }>;
};
const dice = require(path.join(FLAKY_PROJECT, 'lib', 'flaky-dice.cjs')) as { strikes(key: string): boolean };

/** Whether the flaky test hits its flaky path on this attempt with this seed (the fixture's own dice). */
export function strikes(entry: FlakeEntry, seed: string, attempt: number): boolean {
  const saved = { seed: process.env.FLAKY_SEED, attempt: process.env.AGENTLINK_ATTEMPT };
  process.env.FLAKY_SEED = seed;
  process.env.AGENTLINK_ATTEMPT = String(attempt);
  try {
    // A rerun runs the victim of the order-dependence pair alone: its polluter never runs first.
    if (entry.cause === 'order-dependence' && attempt > 1) return false;
    return dice.strikes(entry.key);
  } finally {
    if (saved.seed === undefined) delete process.env.FLAKY_SEED;
    else process.env.FLAKY_SEED = saved.seed;
    if (saved.attempt === undefined) delete process.env.AGENTLINK_ATTEMPT;
    else process.env.AGENTLINK_ATTEMPT = saved.attempt;
  }
}

/** The verdict the fleet must reach for a flaky test, given the seed and the rerun limit. */
export function expectedVerdict(entry: FlakeEntry, seed: string, maxReruns: number): 'passed' | 'flaky' | 'failed' {
  if (!strikes(entry, seed, 1)) return 'passed';
  for (let attempt = 2; attempt <= maxReruns + 1; attempt += 1) if (!strikes(entry, seed, attempt)) return 'flaky';
  return 'failed';
}
