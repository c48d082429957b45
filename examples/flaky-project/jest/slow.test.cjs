'use strict';
const scenarios = require('../lib/scenarios.cjs');

test('adds after a long computation', () => scenarios.stable(600));
test('adds after another long computation', () => scenarios.stable(600));
