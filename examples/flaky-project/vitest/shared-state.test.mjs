import { test } from 'vitest';
import scenarios from '../lib/scenarios.cjs';

test('keeps both concurrent deposits (shared state)', () => scenarios.sharedState('vitest/shared-state'));
test('adds while shared-state is around', () => scenarios.stable());
