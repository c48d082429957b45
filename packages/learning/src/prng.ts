/** A seeded pseudo-random source returning floats in [0, 1). */
export type Random = () => number;

/** mulberry32: small, fast, seedable; enough for shuffles and splits (not for cryptography). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
