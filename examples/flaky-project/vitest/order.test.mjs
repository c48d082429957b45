import { test } from 'vitest';
import scenarios from '../lib/scenarios.cjs';

// Registration order is drawn per attempt: polluter first with probability 0.35.
for (const [name, body] of scenarios.orderDependentPair('vitest/order-dependence')) test(name, body);
