import { describe, expect, it } from '@jest/globals';
import { evaluatePredictions } from '../src/metrics';
import { operatingPointResults } from '../src/operating-points';
import type { Label } from '../src/types';

const GRID = Array.from({ length: 100 }, (_, k) => (k === 99 ? 1.01 : (k + 1) / 100));

describe('operating points: the ceiling', () => {
  // Tuning rows favour a high threshold; on the test rows a lower one is better.
  const tuning = { labels: [1, 1, 0, 0, 0, 0] as Label[], probabilities: [0.9, 0.8, 0.3, 0.2, 0.1, 0.05] };
  const testLabels: Label[] = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
  const test = { labels: testLabels, probabilities: [0.9, 0.55, 0.4, 0.2, 0.45, 0.3, 0.25, 0.1, 0.1, 0.05, 0, 0] };
  const points = [
    { name: 'f1', objective: 'f1' as const },
    { name: 'f1@0.8', objective: 'f1' as const, minBalancedAccuracy: 0.8 },
  ];

  it('is the best F1 among grid thresholds whose test BA reaches the floor, picked on the test rows', () => {
    const results = operatingPointResults(points, tuning, test)!;
    const ceiling = results['f1@0.8'].ceiling!;
    const reaching = GRID.map((t) => evaluatePredictions(test.labels, test.probabilities, t)).filter(
      (m) => m.balancedAccuracy >= 0.8,
    );
    expect(ceiling.constraintMet).toBe(true);
    expect(ceiling.test.f1).toBe(Math.max(...reaching.map((m) => m.f1)));
    expect(ceiling.test.balancedAccuracy).toBeGreaterThanOrEqual(0.8);
    // The honest threshold, tuned on the tuning rows, misses what the test rows allow.
    expect(results['f1@0.8'].test.f1).toBeLessThan(ceiling.test.f1);
    expect(results.f1.ceiling).toBeUndefined();
  });

  it('uses the point’s own floor, not the calibrated one of the tuning', () => {
    // Best F1 overall: the three top positives alone (F1 0.75, BA 0.8); BA ≥ 0.85 needs all five (F1 10/14).
    const labels: Label[] = [1, 1, 1, 1, 1, ...Array<Label>(40).fill(0)];
    const probabilities = [0.9, 0.8, 0.7, 0.3, 0.1, 0.6, 0.5, 0.45, 0.4, ...Array<number>(36).fill(0.05)];
    const floored = [{ name: 'f1@0.85', objective: 'f1' as const, minBalancedAccuracy: 0.85 }];
    const results = operatingPointResults(floored, tuning, { labels, probabilities }, { 'f1@0.85': 0.5 })!;
    expect(results['f1@0.85'].tunedFloor).toBe(0.5);
    expect(results['f1@0.85'].ceiling!.test.balancedAccuracy).toBeCloseTo(0.95, 10);
    expect(results['f1@0.85'].ceiling!.test.f1).toBeCloseTo(10 / 14, 10);
  });
});
