import { test } from 'vitest';
import scenarios from '../lib/scenarios.cjs';

test('reads a warmed cache (timing race)', () => scenarios.timingRace('vitest/timing-race'));
test('adds while timing-race is around', () => scenarios.stable());
