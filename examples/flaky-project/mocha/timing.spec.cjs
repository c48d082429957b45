'use strict';
const scenarios = require('../lib/scenarios.cjs');

it('reads a warmed cache (timing race)', () => scenarios.timingRace('mocha/timing-race'));
it('adds while timing-race is around', () => scenarios.stable());
