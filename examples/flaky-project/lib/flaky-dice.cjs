'use strict';
// The one source of randomness of the fixture. Each draw is seeded by FLAKY_SEED (default
// "demo"), the attempt number the fleet passes in AGENTLINK_ATTEMPT (default 1) and the test's
// key, so a run is reproducible and a rerun (attempt 2, 3, ...) draws again, as a real flaky
// test does. FLAKY_SEED=random draws from Math.random instead.
const flakes = require('../flakes.json');

function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function mulberry32(seed) {
  let t = (seed + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A uniform draw in [0, 1) for this test key and attempt. */
function draw(key) {
  const seed = process.env.FLAKY_SEED ?? 'demo';
  if (seed === 'random') return Math.random();
  return mulberry32(fnv1a(`${seed}|${process.env.AGENTLINK_ATTEMPT ?? '1'}|${key}`));
}

/** The declared flake probability of a test key (from flakes.json). */
function probability(key) {
  const entry = flakes.flaky.find((f) => f.key === key);
  if (entry === undefined) throw new Error(`flakes.json has no flaky test "${key}"`);
  return entry.probability;
}

/** True with the declared probability of `key`: this attempt hits the flaky path. */
function strikes(key) {
  return draw(key) < probability(key);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { draw, probability, strikes, sleep };
