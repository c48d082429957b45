import { seededRandom, type Random } from '@agentlink/resilience';

export type { Random };

/** mulberry32 (the shared `seededRandom` of @agentlink/resilience), under the name this package exports. */
export const mulberry32: (seed: number) => Random = seededRandom;

/** Fisher-Yates shuffle of a copy, driven by `random`. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** A 31-bit integer seed drawn from `random`, for seeding TF.js initialisers and dropout. */
export function nextSeed(random: Random): number {
  return Math.floor(random() * 0x7fffffff);
}
