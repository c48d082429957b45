import { test } from 'node:test';
import scenarios from '../lib/scenarios.cjs';

test('adds after a long computation', () => scenarios.stable(300));
test('adds after another long computation', () => scenarios.stable(300));
