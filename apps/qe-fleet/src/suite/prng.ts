import { seededRandom } from '@agentlink/resilience';

/** 32-bit FNV-1a hash of a string, used to derive independent seeds from names. */
export function hashString(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i += 1) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A seeded PRNG returning floats in [0, 1) (mulberry32 from @agentlink/resilience). */
export function createPrng(seed: number): () => number {
  return seededRandom(seed);
}

/** A PRNG whose sequence depends only on the run seed and the given parts (e.g. task id, attempt). */
export function prngFor(seed: number, ...parts: Array<string | number>): () => number {
  return createPrng(hashString(`${seed}:${parts.join(':')}`));
}
