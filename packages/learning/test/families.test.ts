import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { selectBackend } from '../src/backend';
import { FlakinessModel } from '../src/flakiness-model';
import { selectAndTrain } from '../src/select-model';
import { stratifiedSplit } from '../src/split';
import { trainFlakinessModel } from '../src/train-model';
import type { Dataset, Label } from '../src/types';
import { syntheticDataset, tempDirectory } from './fixtures';

const small = { hiddenUnits: [8], maxEpochs: 15, patience: 4, batchSize: 32, learningRate: 0.01 };
const trees = { maxIterations: 40, minSamplesLeaf: 5 };
const temp = tempDirectory();
const data = syntheticDataset(400, 11);
const { train, test } = stratifiedSplit(data.labels, { testFraction: 0.25, seed: 1 });
const rowsOf = (part: readonly number[]) => part.map((i) => data.features[i]);

beforeAll(async () => {
  await selectBackend('auto');
});
afterAll(() => temp.cleanup());

describe('model families', () => {
  it('a gbdt model predicts, saves without TF.js files and loads to the same answers', async () => {
    const trained = await trainFlakinessModel(data, { ...small, family: 'gbdt', gbdt: trees, indexes: train });
    expect(trained.family).toBe('gbdt');
    expect(trained.model.network).toBeUndefined();
    const probabilities = trained.model.predictProbabilities(rowsOf(test));
    expect(
      trained.model.evaluate(
        rowsOf(test),
        test.map((i) => data.labels[i]),
      ).f1,
    ).toBeGreaterThan(0.7);
    const single = await trained.model.predict(data.features[test[0]], { deadlineMs: 60_000 });
    expect(single).toMatchObject({ fallback: false, probability: expect.closeTo(probabilities[0], 6) });
    const dir = path.join(temp.dir, 'gbdt');
    await trained.model.save(dir);
    expect(existsSync(path.join(dir, 'model.json'))).toBe(false);
    const saved = JSON.parse(readFileSync(path.join(dir, 'flakiness-model.json'), 'utf8'));
    // Saved models hold no row indexes of the training data.
    expect(JSON.stringify(saved.training)).not.toContain('indexes');
    expect(Object.keys(saved.training.options)).not.toContain('indexes');
    const loaded = await FlakinessModel.load(dir);
    expect(loaded.family).toBe('gbdt');
    expect([...loaded.predictProbabilities(rowsOf(test))]).toEqual([...probabilities]);
    trained.model.dispose();
    loaded.dispose();
  });

  it('an ensemble averages the network and the trees, and survives save and load', async () => {
    const trained = await trainFlakinessModel(data, {
      ...small,
      family: 'ensemble',
      gbdt: trees,
      indexes: train,
      networkWeight: 0.5,
    });
    const net = await trainFlakinessModel(data, { ...small, family: 'network', indexes: train });
    const gb = await trainFlakinessModel(data, { ...small, family: 'gbdt', gbdt: trees, indexes: train });
    const [pe, pn, pg] = [trained, net, gb].map((t) => t.model.predictProbabilities(rowsOf(test.slice(0, 5))));
    pe.forEach((p, i) => expect(p).toBeCloseTo((pn[i] + pg[i]) / 2, 5));
    const dir = path.join(temp.dir, 'ensemble');
    await trained.model.save(dir);
    const loaded = await FlakinessModel.load(dir);
    expect(loaded.family).toBe('ensemble');
    expect(loaded.predictProbabilities(rowsOf(test.slice(0, 5)))[0]).toBeCloseTo(pe[0], 5);
    for (const t of [trained, net, gb]) t.model.dispose();
    loaded.dispose();
  }, 120_000);
});

describe('nested selection', () => {
  const options = {
    ...small,
    families: ['network', 'gbdt', 'ensemble'] as const,
    gbdtGrid: [trees, { ...trees, maxLeaves: 4 }],
    innerFolds: 3,
    indexes: train,
  };

  it('scores every candidate on inner folds and retrains the best with its out-of-fold threshold', async () => {
    const chosen = await selectAndTrain(data, options);
    const { candidates } = chosen.selection;
    expect(candidates.map((c) => c.family)).toEqual(['gbdt', 'gbdt', 'network', 'ensemble']);
    const best = Math.max(...candidates.map((c) => c.score));
    expect(chosen.selection.chosen.score).toBe(best);
    expect(chosen.family).toBe(chosen.selection.chosen.family);
    expect(chosen.model.threshold).toBe(chosen.selection.chosen.threshold);
    chosen.model.dispose();
  }, 120_000);

  it('never reads the outer test rows: their labels can be anything', async () => {
    const scrambled: Dataset = {
      ...data,
      labels: data.labels.map((label, i): Label => (test.includes(i) ? ((1 - label) as Label) : label)),
    };
    const a = await selectAndTrain(data, { ...options, families: ['gbdt'] });
    const b = await selectAndTrain(scrambled, { ...options, families: ['gbdt'] });
    expect(b.selection).toEqual(a.selection);
    expect([...b.model.predictProbabilities(rowsOf(test))]).toEqual([...a.model.predictProbabilities(rowsOf(test))]);
    a.model.dispose();
    b.model.dispose();
  }, 120_000);
});
