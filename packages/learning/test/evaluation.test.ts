import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidOptionsError } from '@agentlink/resilience';
import { selectBackend } from '../src/backend';
import { crossValidation, holdoutEvaluation, leaveProjectsOut } from '../src/evaluation';
import { datasetFromCsv } from '../src/load-dataset';
import { stratifiedSplit } from '../src/split';
import type { Dataset } from '../src/types';
import { syntheticDataset } from './fixtures';

const fast = { hiddenUnits: [8], maxEpochs: 15, patience: 4, learningRate: 0.01, batchSize: 32 };
const data = syntheticDataset(240, 8, { groups: 6 });

beforeAll(async () => {
  await selectBackend('auto');
});

describe('evaluations', () => {
  it('hold-out reports test metrics beside the majority baseline and the backend', async () => {
    const summary = await holdoutEvaluation(data, fast);
    expect(summary.kind).toBe('holdout');
    expect(['wasm', 'cpu', 'tensorflow']).toContain(summary.backend);
    const [fold] = summary.folds;
    expect(fold.testRows).toBe(48);
    expect(fold.baseline.f1).toBe(0);
    expect(fold.test.f1).toBeGreaterThan(fold.baseline.f1);
    expect(summary.pooled).toEqual(fold.test);
    expect(summary.std.f1).toBe(0);
  });

  it('stratified k-fold gives one result per fold with mean and spread', async () => {
    const folds: number[] = [];
    const summary = await crossValidation(data, {
      ...fast,
      folds: 3,
      onFold: (result, total) => folds.push(result.fold * 10 + total),
    });
    expect(summary.folds).toHaveLength(3);
    expect(folds).toEqual([13, 23, 33]);
    expect(summary.pooled.confusion.tp + summary.pooled.confusion.fn).toBe(48);
    expect(summary.mean.f1).toBeGreaterThan(0);
    expect(summary.std.f1).toBeGreaterThanOrEqual(0);
  });

  it('leave-projects-out holds out whole groups; grouped hold-out too; both need groups', async () => {
    const summary = await leaveProjectsOut(data, { ...fast, folds: 3 });
    const held = summary.folds.flatMap((fold) => fold.testGroups ?? []);
    expect(held.sort()).toEqual(['g0', 'g1', 'g2', 'g3', 'g4', 'g5']);
    const grouped = await holdoutEvaluation(data, { ...fast, grouped: true, testFraction: 0.3 });
    expect(grouped.kind).toBe('grouped-holdout');
    const noGroups: Dataset = { ...data, groups: undefined };
    expect(() => leaveProjectsOut(noGroups, fast)).toThrow(InvalidOptionsError);
  });
});

describe('on real FlakeFlagger data (small, fast configuration)', () => {
  it('beats the majority-class baseline on flaky-class F1 and balanced accuracy', async () => {
    const file = fileURLToPath(new URL('../data/flakeflagger/flakeflagger-with-project.csv', import.meta.url));
    const full = datasetFromCsv(readFileSync(file, 'utf8'), {
      label: 'flakyStatus',
      drop: ['test_name'],
      group: 'project',
    });
    // A stratified 25 % subsample keeps the run short while keeping the real class balance.
    const { test: keep } = stratifiedSplit(full.labels, { testFraction: 0.25, seed: 7 });
    const sample: Dataset = {
      featureNames: full.featureNames,
      features: keep.map((i) => full.features[i]),
      labels: keep.map((i) => full.labels[i]),
      rowNumbers: keep.map((i) => full.rowNumbers[i]),
    };
    // Boosted trees: seconds even on a loaded machine (the network is covered on synthetic data).
    const summary = await holdoutEvaluation(sample, { family: 'gbdt', gbdt: { maxIterations: 150 }, seed: 42 });
    const [fold] = summary.folds;
    expect(fold.baseline.accuracy).toBeGreaterThan(0.95);
    expect(fold.test.f1).toBeGreaterThan(fold.baseline.f1 + 0.3);
    expect(fold.test.balancedAccuracy).toBeGreaterThan(fold.baseline.balancedAccuracy + 0.15);
  });
});
