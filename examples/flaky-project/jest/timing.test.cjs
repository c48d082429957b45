'use strict';
const scenarios = require('../lib/scenarios.cjs');

test('reads a warmed cache (timing race)', () => scenarios.timingRace('jest/timing-race'));
test('adds while timing-race is around', () => scenarios.stable());
