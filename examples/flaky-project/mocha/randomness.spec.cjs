'use strict';
const scenarios = require('../lib/scenarios.cjs');

it('prices a generated order (randomness)', () => scenarios.randomInput('mocha/randomness'));
it('adds while randomness is around', () => scenarios.stable());
