import { test } from 'vitest';
import scenarios from '../lib/scenarios.cjs';

test('prices a generated order (randomness)', () => scenarios.randomInput('vitest/randomness'));
test('adds while randomness is around', () => scenarios.stable());
