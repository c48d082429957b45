import { randomInt } from 'node:crypto';
import { seededRandom as fromSeed, type Random } from '@agentlink/resilience';

export type { Random };

/** A seeded source that decides packet fates reproducibly; a random seed when none is given. */
export function seededRandom(seed: number = randomInt(0, 2 ** 32)): Random {
  return fromSeed(seed);
}
