'use strict';
const scenarios = require('../lib/scenarios.cjs');

it('keeps both concurrent deposits (shared state)', () => scenarios.sharedState('mocha/shared-state'));
it('adds while shared-state is around', () => scenarios.stable());
