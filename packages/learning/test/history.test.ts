import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidOptionsError } from '@agentlink/resilience';
import { selectBackend } from '../src/backend';
import { MissingColumnError, ModelFormatError } from '../src/errors';
import { holdoutEvaluation, leaveProjectsOut, withoutHistory } from '../src/evaluation';
import { FlakinessModel } from '../src/flakiness-model';
import { HISTORY_FEATURES, HistoryEncoder, deriveHistoryKey, resolveHistoryKeySpec } from '../src/history-encoding';
import { columnValuesFromCsv, datasetFromCsv } from '../src/load-dataset';
import { rocAuc } from '../src/metrics';
import { mulberry32 } from '../src/prng';
import { stratifiedSplit } from '../src/split';
import { trainFlakinessModel } from '../src/train-model';
import { resolveTrainingOptions } from '../src/training-options';
import type { Dataset, Label } from '../src/types';
import { classHistoryCsv, tempDirectory } from './fixtures';

const { dir, cleanup } = tempDirectory();
afterAll(cleanup);
beforeAll(async () => {
  await selectBackend('auto');
});

const spec = resolveHistoryKeySpec({ column: 'name', stripSegments: 1 });

describe('history keys', () => {
  it('derives the key by stripping trailing segments; nothing left means no history', () => {
    expect(deriveHistoryKey('org.a.FooTest.testBar', spec)).toBe('org.a.FooTest');
    expect(deriveHistoryKey(' single ', spec)).toBe('');
    expect(deriveHistoryKey('a/b/c', resolveHistoryKeySpec({ column: 'x', stripSegments: 2, separator: '/' }))).toBe(
      'a',
    );
    expect(deriveHistoryKey('a.b', resolveHistoryKeySpec({ column: 'x' }))).toBe('a.b');
  });

  it('rejects malformed specs with InvalidOptionsError', () => {
    expect(() => resolveHistoryKeySpec({ column: '' })).toThrow(InvalidOptionsError);
    expect(() => resolveHistoryKeySpec({ column: 'x', stripSegments: -1 })).toThrow('stripSegments');
    expect(() => resolveHistoryKeySpec({ column: 'x', stripSegments: 1.5 })).toThrow('stripSegments');
    expect(() => resolveHistoryKeySpec({ column: 'x', separator: '' })).toThrow('separator');
    expect(() => resolveTrainingOptions({ historyFolds: 1 })).toThrow(InvalidOptionsError);
    expect(() => resolveTrainingOptions({ historySmoothing: -1 })).toThrow(InvalidOptionsError);
  });

  it('the key column is read as text, never as a feature; a missing column is a typed error', () => {
    const csv = 'name,x,flaky\na.B.m1,1,0\na.B.m2,2,1\n';
    const dataset = datasetFromCsv(csv, { label: 'flaky', historyKey: { column: 'name', stripSegments: 1 } });
    expect(dataset.featureNames).toEqual(['x']);
    expect(dataset.historyValues).toEqual(['a.B.m1', 'a.B.m2']);
    expect(dataset.historyKey).toEqual({ column: 'name', stripSegments: 1, separator: '.' });
    expect(
      datasetFromCsv(csv, { label: 'flaky', drop: ['name'], historyKey: { column: 'name' } }).featureNames,
    ).toEqual(['x']);
    expect(() => datasetFromCsv(csv, { label: 'flaky', drop: ['name'], historyKey: { column: 'test' } })).toThrow(
      MissingColumnError,
    );
    expect(columnValuesFromCsv(csv, 'name')).toEqual(['a.B.m1', 'a.B.m2']);
    expect(() => columnValuesFromCsv(csv, 'test')).toThrow(MissingColumnError);
    expect(withoutHistory(dataset).historyValues).toBeUndefined();
    expect(withoutHistory(withoutHistory(dataset))).toEqual(withoutHistory(dataset));
  });
});

describe('HistoryEncoder', () => {
  const values = ['p.A.1', 'p.A.2', 'p.A.3', 'p.B.1', 'p.B.2', 'p.C.1'];
  const labels: Label[] = [1, 1, 0, 0, 0, 1];

  it('fits counts and a smoothed rate on the given rows; unseen and absent keys get the prior', () => {
    const encoder = HistoryEncoder.fit(values, labels, { spec, smoothing: 2 });
    expect(encoder.table.prior).toBeCloseTo(0.5);
    expect(encoder.table.counts).toEqual({ 'p.A': [2, 3], 'p.B': [0, 2], 'p.C': [1, 1] });
    expect(encoder.encode('p.A.9')).toEqual([(2 + 2 * 0.5) / (3 + 2), 3, 2]);
    expect(encoder.encode('q.Z.1')).toEqual([0.5, 0, 0]);
    expect(encoder.encode(undefined)).toEqual([0.5, 0, 0]);
    expect(encoder.encode('__proto__.x')).toEqual([0.5, 0, 0]);
    expect(HistoryEncoder.fromTable(encoder.table).encode('p.B.7')).toEqual(encoder.encode('p.B.7'));
    expect(() => HistoryEncoder.fromTable({ ...encoder.table, counts: { a: [3, 1] } })).toThrow(InvalidOptionsError);
    expect(() => HistoryEncoder.fromTable({ ...encoder.table, prior: 2 })).toThrow(InvalidOptionsError);
  });

  it('out-of-fold values never depend on the row’s own label', () => {
    const random = mulberry32(9);
    const many = Array.from({ length: 120 }, (_, i) => `p.C${i % 7}.m${i}`);
    const manyLabels = many.map((): Label => (random() < 0.3 ? 1 : 0));
    const options = { spec, smoothing: 1, folds: 5, seed: 4 };
    const base = HistoryEncoder.outOfFold(many, manyLabels, options);
    let othersChanged = 0;
    for (let i = 0; i < many.length; i++) {
      const flipped = [...manyLabels];
      flipped[i] = manyLabels[i] === 1 ? 0 : 1;
      const after = HistoryEncoder.outOfFold(many, flipped, options);
      expect(after[i]).toEqual(base[i]);
      othersChanged += after.filter((row, j) => j !== i && row[0] !== base[j][0]).length;
    }
    // The check can fail: flipping a label does move the values of rows in other folds.
    expect(othersChanged).toBeGreaterThan(0);
  });

  it('out-of-fold encoding of one-row-per-key data carries no label at all (where in-sample encoding would)', () => {
    const unique = Array.from({ length: 50 }, (_, i) => `p.K${i}.m`);
    const uniqueLabels = unique.map((_, i): Label => (i % 3 === 0 ? 1 : 0));
    const oof = HistoryEncoder.outOfFold(unique, uniqueLabels, { spec, smoothing: 2, folds: 5, seed: 1 });
    expect(oof.every((row) => row[1] === 0 && row[2] === 0)).toBe(true);
    expect(
      rocAuc(
        uniqueLabels,
        oof.map((row) => row[0]),
      ),
    ).toBeLessThan(0.8);
    const inSample = HistoryEncoder.fit(unique, uniqueLabels, { spec, smoothing: 2 });
    expect(
      rocAuc(
        uniqueLabels,
        unique.map((value) => inSample.encode(value)[0]),
      ),
    ).toBe(1); // what a leak would look like
  });
});

describe('training with test history', () => {
  const csv = classHistoryCsv(60, 10, 5);
  const dataset: Dataset = datasetFromCsv(csv, {
    label: 'flaky',
    drop: ['name'],
    historyKey: { column: 'name', stripSegments: 1 },
  });
  const { train, test } = stratifiedSplit(dataset.labels, { testFraction: 0.25, seed: 7 });
  const testValues = test.map((i) => dataset.historyValues![i]);
  // Boosted trees: the history encoding is the same for every family, and trees train in a second
  // even on a loaded machine (the network with history is covered by the CLI test below).
  const fast = { family: 'gbdt' as const, gbdt: { maxIterations: 60, minSamplesLeaf: 5 }, seed: 3 };

  it('fits the table on the model’s training rows only, learns from it, and saves and loads it', async () => {
    const { model } = await trainFlakinessModel(dataset, { ...fast, indexes: train });
    const table = model.metadata.history!;
    const fitted = Object.values(table.counts).reduce((sum, [, rows]) => sum + rows, 0);
    expect(fitted).toBe(model.metadata.training.trainRows); // not the validation rows, not the test rows
    expect(model.historyKey).toEqual({ column: 'name', stripSegments: 1, separator: '.' });
    expect(model.metadata.scaler.featureNames).toEqual(['noise', ...HISTORY_FEATURES]);

    const labels = test.map((i) => dataset.labels[i]);
    const rows = test.map((i) => dataset.features[i]);
    const withHistory = model.predictProbabilities(rows, { historyValues: testValues });
    expect(rocAuc(labels, Array.from(withHistory))).toBeGreaterThan(0.85);
    expect(model.evaluate(rows, labels, { historyValues: testValues }).rocAuc).toBeCloseTo(
      rocAuc(labels, Array.from(withHistory)),
      6,
    );
    expect(() => model.predictProbabilities(rows, { historyValues: testValues.slice(1) })).toThrow('history values');

    const modelDir = path.join(dir, 'history-model');
    await model.save(modelDir);
    const loaded = await FlakinessModel.load(modelDir);
    expect(Array.from(loaded.predictProbabilities(rows, { historyValues: testValues }))).toEqual(
      Array.from(withHistory),
    );
    const unseen = await loaded.predict([0.5], { historyValue: 'other.Unseen.m1', deadlineMs: 60_000 });
    expect(unseen).toMatchObject({ fallback: false, probability: expect.any(Number) });
    expect((await loaded.predict([0.5], { deadlineMs: 60_000 })).probability).toBeCloseTo(unseen.probability!, 6);
    const flakyClass = await loaded.predict([0.5], { historyValue: 'pkg.Class0.m99', deadlineMs: 60_000 });
    const stableClass = await loaded.predict([0.5], { historyValue: 'pkg.Class1.m99', deadlineMs: 60_000 });
    expect(flakyClass.probability!).toBeGreaterThan(stableClass.probability!);
    model.dispose();
    loaded.dispose();

    const metadataFile = path.join(modelDir, 'flakiness-model.json');
    const { readFileSync } = await import('node:fs');
    const saved = JSON.parse(readFileSync(metadataFile, 'utf8'));
    writeFileSync(metadataFile, JSON.stringify({ ...saved, history: { ...saved.history, prior: -1 } }));
    await expect(FlakinessModel.load(modelDir)).rejects.toThrow(ModelFormatError);
    writeFileSync(metadataFile, JSON.stringify({ ...saved, history: undefined }));
    await expect(FlakinessModel.load(modelDir)).rejects.toThrow(ModelFormatError); // scaler width no longer matches
  });

  const title =
    "hold-out evaluation passes the test rows' history values;" +
    ' leave-projects-out trains without history';
  it(title, async () => {
    const holdout = await holdoutEvaluation(dataset, { ...fast, testFraction: 0.25 });
    expect(holdout.folds[0].test.rocAuc).toBeGreaterThan(0.85);
    // Each class its own project: held-out projects have no history, so the history cannot help there.
    const grouped: Dataset = {
      ...dataset,
      groups: dataset.historyValues!.map((value) => deriveHistoryKey(value, spec)),
    };
    const lpo = await leaveProjectsOut(grouped, { ...fast, folds: 2 });
    expect(lpo.pooled.rocAuc).toBeLessThan(0.75);
  });

  it('without the history key the same data carries no signal', async () => {
    const { model } = await trainFlakinessModel(withoutHistory(dataset), { ...fast, indexes: train });
    expect(model.metadata.history).toBeUndefined();
    const labels = test.map((i) => dataset.labels[i]);
    expect(rocAuc(labels, Array.from(model.predictProbabilities(test.map((i) => dataset.features[i]))))).toBeLessThan(
      0.75,
    );
    model.dispose();
  });
});
