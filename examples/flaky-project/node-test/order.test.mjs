import { test } from 'node:test';
import scenarios from '../lib/scenarios.cjs';

// Registration order is drawn per attempt: polluter first with probability 0.3.
for (const [name, body] of scenarios.orderDependentPair('node-test/order-dependence')) test(name, body);
