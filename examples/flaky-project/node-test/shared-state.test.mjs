import { test } from 'node:test';
import scenarios from '../lib/scenarios.cjs';

test('keeps both concurrent deposits (shared state)', () => scenarios.sharedState('node-test/shared-state'));
test('adds while shared-state is around', () => scenarios.stable());
