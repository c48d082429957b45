'use strict';
// Each scenario is one test body, shared by the four runners' test files. They throw (node:assert)
// on failure, so every runner reports them the same way.
const assert = require('node:assert/strict');
const { draw, probability, strikes, sleep } = require('./flaky-dice.cjs');
const shop = require('./shop.cjs');

/** Always passes. */
async function stable(delayMs = 0) {
  if (delayMs > 0) await sleep(delayMs);
  assert.equal(shop.add(2, 2), 4);
}

/** Timing race: a cache warms in a timer; the test reads it after 20 ms. Warm-up takes 40 ms on the flaky path. */
async function timingRace(key) {
  const warmMs = strikes(key) ? 40 : 5;
  let warm = false;
  const timer = setTimeout(() => {
    warm = true;
  }, warmMs);
  await sleep(20);
  clearTimeout(timer);
  assert.equal(warm, true, `cache not warm after 20 ms (warm-up took ${warmMs} ms)`);
}

/** Randomness: a generated quantity is 0 with the declared probability, and unitPrice throws on 0. */
function randomInput(key) {
  const roll = draw(key);
  const quantity = roll < probability(key) ? 0 : 1 + Math.floor(roll * 9);
  assert.equal(Number.isFinite(shop.unitPrice(90, quantity)), true);
}

/** Shared state: two deposits on one account overlap on the flaky path and one update is lost. */
async function sharedState(key) {
  const acct = shop.account();
  const overlap = strikes(key);
  await Promise.all([acct.deposit(5, 10), overlap ? acct.deposit(7, 1) : sleep(25).then(() => acct.deposit(7, 1))]);
  assert.equal(acct.balance(), 12, 'a concurrent deposit was lost');
}

/**
 * Order dependence: the victim expects an empty registry; the polluter adds to it. They are
 * registered polluter-first on the flaky path. Returns [name, body] pairs in registration order.
 */
function orderDependentPair(key) {
  const polluter = ['registers a plugin', () => {
    shop.registry.add('audit');
    assert.ok(shop.registry.size() >= 1);
  }];
  const victim = ['starts with an empty plugin registry (order dependent)', () => {
    assert.equal(shop.registry.size(), 0, 'registry polluted by an earlier test');
  }];
  return strikes(key) ? [polluter, victim] : [victim, polluter];
}

/** The real bug: percentOf swaps its operands. Fails every time. */
function realBug() {
  assert.equal(shop.percentOf(50, 200), 25);
}

module.exports = { stable, timingRace, randomInput, sharedState, orderDependentPair, realBug };
