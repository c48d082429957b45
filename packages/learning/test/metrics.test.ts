import { describe, expect, it } from '@jest/globals';
import { confusionMatrix, evaluatePredictions, majorityBaseline, metricsFromConfusion, rocAuc } from '../src/metrics';
import { tuneThreshold } from '../src/threshold';
import { FeatureMismatchError } from '../src/errors';
import type { Label } from '../src/types';

describe('metrics on small, hand-computed confusion matrices', () => {
  it('tp=3 fp=1 tn=4 fn=2', () => {
    const m = metricsFromConfusion({ tp: 3, fp: 1, tn: 4, fn: 2 });
    expect(m.accuracy).toBeCloseTo(7 / 10, 12);
    expect(m.precision).toBeCloseTo(3 / 4, 12);
    expect(m.recall).toBeCloseTo(3 / 5, 12);
    expect(m.specificity).toBeCloseTo(4 / 5, 12);
    expect(m.balancedAccuracy).toBeCloseTo((3 / 5 + 4 / 5) / 2, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12); // 2·0.75·0.6 / 1.35
    expect(m.mcc).toBeCloseTo((3 * 4 - 1 * 2) / Math.sqrt(4 * 5 * 5 * 6), 12);
  });

  it('tp=1 fp=9 tn=89 fn=1 (rare positives)', () => {
    const m = metricsFromConfusion({ tp: 1, fp: 9, tn: 89, fn: 1 });
    expect(m.accuracy).toBeCloseTo(0.9, 12);
    expect(m.precision).toBeCloseTo(0.1, 12);
    expect(m.recall).toBeCloseTo(0.5, 12);
    expect(m.f1).toBeCloseTo(1 / 6, 12);
    expect(m.balancedAccuracy).toBeCloseTo((0.5 + 89 / 98) / 2, 12);
    expect(m.mcc).toBeCloseTo((89 - 9) / Math.sqrt(10 * 2 * 98 * 90), 12);
  });

  it('perfect and all-negative predictions follow the zero-division conventions', () => {
    expect(metricsFromConfusion({ tp: 5, fp: 0, tn: 5, fn: 0 })).toMatchObject({
      accuracy: 1,
      f1: 1,
      mcc: 1,
      balancedAccuracy: 1,
    });
    expect(metricsFromConfusion({ tp: 0, fp: 0, tn: 95, fn: 5 })).toMatchObject({
      accuracy: 0.95,
      precision: 0,
      recall: 0,
      f1: 0,
      mcc: 0,
      balancedAccuracy: 0.5,
    });
    expect(metricsFromConfusion({ tp: 0, fp: 0, tn: 0, fn: 0 }).accuracy).toBe(0);
  });

  it('counts the confusion matrix from labels and predictions', () => {
    expect(confusionMatrix([1, 1, 0, 0, 1], [1, 0, 1, 0, 1])).toEqual({ tp: 2, fp: 1, tn: 1, fn: 1 });
    expect(() => confusionMatrix([1], [1, 0])).toThrow(FeatureMismatchError);
  });

  it('ROC-AUC equals the pairwise ranking probability, ties counting one half', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBeCloseTo(0.5, 12);
    expect(rocAuc([0, 1, 1], [0.9, 0.1, 0.2])).toBe(0);
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
  });

  it('evaluates probabilities at a threshold and the majority baseline', () => {
    const labels: Label[] = [1, 0, 0, 0];
    const m = evaluatePredictions(labels, [0.7, 0.6, 0.2, 0.1], 0.65);
    expect(m.confusion).toEqual({ tp: 1, fp: 0, tn: 3, fn: 0 });
    expect(m.rocAuc).toBe(1);
    const baseline = majorityBaseline(labels);
    expect(baseline).toMatchObject({ accuracy: 0.75, f1: 0, balancedAccuracy: 0.5, rocAuc: 0.5 });
    expect(majorityBaseline([1, 1, 0]).confusion).toEqual({ tp: 2, fp: 1, tn: 0, fn: 0 });
  });
});

describe('tuneThreshold', () => {
  it('picks the threshold that maximises the objective on validation scores', () => {
    const labels: Label[] = [0, 0, 0, 1, 1, 0];
    const scores = [0.1, 0.2, 0.3, 0.72, 0.8, 0.71];
    expect(tuneThreshold(labels, scores, 'f1')).toEqual({ threshold: 0.72, score: 1, constraintMet: true });
    expect(tuneThreshold(labels, scores, 'mcc').threshold).toBe(0.72);
    expect(tuneThreshold(labels, scores, 'balancedAccuracy').score).toBe(1);
    expect(() => tuneThreshold(labels, scores, 'recall' as never)).toThrow('threshold objective');
  });
});

describe('tuneThreshold with a balanced-accuracy floor', () => {
  it('prefers thresholds meeting the floor, and falls back to the unconstrained best when none does', () => {
    const labels: Label[] = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const scores = [0.9, 0.8, 0.3, 0.35, 0.32, 0.31, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    const free = tuneThreshold(labels, scores, 'f1');
    const floored = tuneThreshold(labels, scores, 'f1', { minBalancedAccuracy: 0.85 });
    expect(floored.constraintMet).toBe(true);
    expect(floored.threshold).toBeLessThanOrEqual(0.3);
    expect(floored.score).toBeCloseTo(2 / 3, 12);
    expect(free).toMatchObject({ threshold: 0.5, score: 0.8 });
    expect(tuneThreshold(labels, scores, 'f1', { minBalancedAccuracy: 1 })).toMatchObject({
      constraintMet: false,
      threshold: free.threshold,
    });
  });
});
