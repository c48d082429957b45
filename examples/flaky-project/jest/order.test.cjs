'use strict';
const scenarios = require('../lib/scenarios.cjs');

// Registration order is drawn per attempt: polluter first with probability 0.4.
for (const [name, body] of scenarios.orderDependentPair('jest/order-dependence')) test(name, body);
