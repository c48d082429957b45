import { test } from 'node:test';
import scenarios from '../lib/scenarios.cjs';

test('reads a warmed cache (timing race)', () => scenarios.timingRace('node-test/timing-race'));
test('adds while timing-race is around', () => scenarios.stable());
