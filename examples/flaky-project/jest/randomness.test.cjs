'use strict';
const scenarios = require('../lib/scenarios.cjs');

test('prices a generated order (randomness)', () => scenarios.randomInput('jest/randomness'));
test('adds while randomness is around', () => scenarios.stable());
