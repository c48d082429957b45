'use strict';
const scenarios = require('../lib/scenarios.cjs');

test('keeps both concurrent deposits (shared state)', () => scenarios.sharedState('jest/shared-state'));
test('adds while shared-state is around', () => scenarios.stable());
