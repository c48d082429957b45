/** 32-bit FNV-1a hash of a string, used to derive independent seeds from names. */
export function hashString(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i += 1) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). Same seed, same sequence. */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A PRNG whose sequence depends only on the run seed and the given parts (e.g. task id, attempt). */
export function prngFor(seed: number, ...parts: Array<string | number>): () => number {
  return createPrng(hashString(`${seed}:${parts.join(':')}`));
}
