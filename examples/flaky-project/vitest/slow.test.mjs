import { test } from 'vitest';
import scenarios from '../lib/scenarios.cjs';

test('adds after a long computation', () => scenarios.stable(400));
test('adds after another long computation', () => scenarios.stable(400));
