'use strict';
const scenarios = require('../lib/scenarios.cjs');

// Registration order is drawn per attempt: polluter first with probability 0.45.
for (const [name, body] of scenarios.orderDependentPair('mocha/order-dependence')) it(name, body);
