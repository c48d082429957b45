import { test } from 'node:test';
import scenarios from '../lib/scenarios.cjs';

test('prices a generated order (randomness)', () => scenarios.randomInput('node-test/randomness'));
test('adds while randomness is around', () => scenarios.stable());
