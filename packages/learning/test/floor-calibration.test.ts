import { beforeAll, describe, expect, it } from '@jest/globals';
import { selectBackend } from '../src/backend';
import { holdoutEvaluation } from '../src/evaluation';
import { calibrateFloor, FLOOR_OFFSETS } from '../src/floor-calibration';
import { metricsFromConfusion, confusionMatrix } from '../src/metrics';
import type { OutOfFoldScores } from '../src/out-of-fold';
import { tuneThreshold } from '../src/threshold';
import type { Label } from '../src/types';
import { syntheticDataset } from './fixtures';

/** 40 positives scored evenly over `positiveCentre` ± 0.2, 360 negatives crowded towards 0 in [0, 0.5]. */
function scored(positiveCentre: number): OutOfFoldScores {
  const labels: Label[] = [];
  const scores: number[] = [];
  for (let i = 0; i < 360; i++) {
    labels.push(0);
    scores.push((i / 360) ** 2 * 0.5);
  }
  for (let i = 0; i < 40; i++) {
    labels.push(1);
    scores.push(positiveCentre - 0.2 + (i / 40) * 0.4);
  }
  return { rows: labels.map((_, i) => i), labels, scores: Float32Array.from(scores) };
}

function heldMetrics(held: OutOfFoldScores, tuning: OutOfFoldScores, floor: number) {
  const { threshold } = tuneThreshold(tuning.labels, tuning.scores, 'f1', { minBalancedAccuracy: floor });
  const predicted = held.labels.map((_, i): Label => (held.scores[i] >= threshold ? 1 : 0));
  return metricsFromConfusion(confusionMatrix(held.labels, predicted));
}

beforeAll(async () => {
  await selectBackend('auto');
});

describe('calibrated balanced-accuracy floors', () => {
  it('lowers the floor when held-out rows score their positives higher than the tuning rows did', () => {
    const tuning = scored(0.4);
    const held = scored(0.5);
    const floor = calibrateFloor([{ tuning, held }], { objective: 'f1', floor: 0.75 });
    expect(floor).toBeLessThan(0.75);
    const calibrated = heldMetrics(held, tuning, floor);
    const plain = heldMetrics(held, tuning, 0.75);
    // The calibrated threshold still reaches the target on the held rows, with a better F1 than the plain one.
    expect(calibrated.balancedAccuracy).toBeGreaterThanOrEqual(0.75);
    expect(plain.balancedAccuracy).toBeGreaterThan(calibrated.balancedAccuracy);
    expect(calibrated.f1).toBeGreaterThan(plain.f1);
  });

  it('keeps the requested floor when the held-out rows look like the tuning rows', () => {
    const same = scored(0.4);
    expect(calibrateFloor([{ tuning: same, held: same }], { objective: 'f1', floor: 0.75 })).toBe(0.75);
  });

  it('raises the floor when the held-out rows score their positives lower, and never past the last candidate', () => {
    const floor = calibrateFloor([{ tuning: scored(0.5), held: scored(0.4) }], { objective: 'f1', floor: 0.75 });
    expect(floor).toBeGreaterThan(0.75);
    expect(floor).toBeLessThanOrEqual(0.75 + FLOOR_OFFSETS[FLOOR_OFFSETS.length - 1] + 1e-9);
  });

  it('averages over the simulated folds: one fold alone does not decide', () => {
    const tuning = scored(0.4);
    const up = calibrateFloor([{ tuning, held: scored(0.5) }], { objective: 'f1', floor: 0.75 });
    const mixed = calibrateFloor(
      [
        { tuning, held: scored(0.5) },
        { tuning, held: scored(0.3) },
      ],
      { objective: 'f1', floor: 0.75 },
    );
    expect(mixed).toBeGreaterThan(up);
  });

  it('a hold-out with calibrateFloors records the floor it applied for each floored operating point only', async () => {
    const data = syntheticDataset(360, 5, { positiveShare: 0.15 });
    const points = [
      { name: 'ba', objective: 'balancedAccuracy' as const },
      { name: 'f1@0.8', objective: 'f1' as const, minBalancedAccuracy: 0.8 },
    ];
    const common = {
      family: 'auto' as const,
      families: ['gbdt' as const],
      gbdtGrid: [{ maxIterations: 30, minSamplesLeaf: 5 }],
      seed: 3,
      operatingPoints: points,
    };
    const calibrated = (await holdoutEvaluation(data, { ...common, calibrateFloors: true })).folds[0];
    const floor = calibrated.operatingPoints!['f1@0.8'].tunedFloor!;
    expect(floor).toBeGreaterThanOrEqual(0.8 + FLOOR_OFFSETS[0] - 1e-9);
    expect(floor).toBeLessThanOrEqual(0.8 + FLOOR_OFFSETS[FLOOR_OFFSETS.length - 1] + 1e-9);
    expect(calibrated.operatingPoints!.ba.tunedFloor).toBeUndefined();
    const plain = (await holdoutEvaluation(data, common)).folds[0];
    expect(plain.operatingPoints!['f1@0.8'].tunedFloor).toBeUndefined();
  }, 60_000);
});
