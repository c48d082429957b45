'use strict';
const scenarios = require('../lib/scenarios.cjs');

it('adds after a long computation', () => scenarios.stable(200));
it('adds after another long computation', () => scenarios.stable(200));
