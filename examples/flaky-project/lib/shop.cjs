'use strict';
// The code under test. percentOf has a real bug (the fixture's one real failure).

/** Price of one unit; throws on zero quantity (the randomness tests can hit that). */
function unitPrice(total, quantity) {
  if (quantity === 0) throw new RangeError('quantity must be positive');
  return total / quantity;
}

/** `part` as a percentage of `whole`. Bug: the operands are swapped. */
function percentOf(part, whole) {
  return (whole / part) * 100;
}

function add(a, b) {
  return a + b;
}

/** A module-level plugin registry: state that leaks between tests (order dependence). */
const plugins = new Set();
const registry = {
  add: (name) => plugins.add(name),
  size: () => plugins.size,
};

/** A bank account whose deposit reads, waits, then writes (lost updates when two overlap). */
function account() {
  let balance = 0;
  return {
    balance: () => balance,
    async deposit(amount, latencyMs) {
      const seen = balance;
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      balance = seen + amount;
    },
  };
}

module.exports = { unitPrice, percentOf, add, registry, account };
