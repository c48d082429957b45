'use strict';
const scenarios = require('../lib/scenarios.cjs');

test('computes a percentage (real bug)', () => scenarios.realBug());
test('computes a sum', () => scenarios.stable());
