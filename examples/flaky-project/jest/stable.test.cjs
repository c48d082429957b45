'use strict';
const scenarios = require('../lib/scenarios.cjs');

test('adds two numbers', () => scenarios.stable());
test('adds again after a short wait', () => scenarios.stable(30));
test('adds a third time', () => scenarios.stable());
