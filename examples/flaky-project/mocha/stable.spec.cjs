'use strict';
const scenarios = require('../lib/scenarios.cjs');

it('adds two numbers', () => scenarios.stable());
it('adds again after a short wait', () => scenarios.stable(30));
it('adds a third time', () => scenarios.stable());
