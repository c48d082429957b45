import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { selectBackend } from '../src/backend';
import { MissingColumnError } from '../src/errors';
import { withoutIndicators } from '../src/evaluation';
import { FeatureScaler } from '../src/feature-scaler';
import { FlakinessModel } from '../src/flakiness-model';
import { datasetFromCsv, featureRowsFromCsv, indicatorName } from '../src/load-dataset';
import { trainFlakinessModel } from '../src/train-model';
import type { Dataset, Label } from '../src/types';
import { tempDirectory } from './fixtures';

const { dir, cleanup } = tempDirectory();
afterAll(cleanup);
beforeAll(async () => {
  await selectBackend('auto');
});

const csv = ['name,x,project,flaky', 't1,1,p2,0', 't2,3,p1,1', 't3,5,p2,0'].join('\n');

describe('categorical columns as one-hot features', () => {
  it('appends one 0/1 indicator per category (sorted), keeps the group column as group', () => {
    const dataset = datasetFromCsv(csv, {
      label: 'flaky',
      drop: ['name'],
      group: 'project',
      categorical: ['project'],
    });
    expect(dataset.featureNames).toEqual(['x', 'project=p1', 'project=p2']);
    expect(dataset.indicatorFeatures).toEqual(['project=p1', 'project=p2']);
    expect(dataset.features).toEqual([
      [1, 0, 1],
      [3, 1, 0],
      [5, 0, 1],
    ]);
    expect(dataset.groups).toEqual(['p2', 'p1', 'p2']);
    expect(indicatorName('a', 'b')).toBe('a=b');
    expect(datasetFromCsv(csv, { label: 'flaky', drop: ['name'], categorical: ['project'] }).featureNames).toEqual([
      'x',
      'project=p1',
      'project=p2',
    ]);
    expect(() => datasetFromCsv(csv, { label: 'flaky', categorical: ['team'] })).toThrow(MissingColumnError);
  });

  it('without categorical columns nothing changes and no indicators are listed', () => {
    const dataset = datasetFromCsv(csv, { label: 'flaky', drop: ['name', 'project'] });
    expect(dataset.featureNames).toEqual(['x']);
    expect(dataset.indicatorFeatures).toBeUndefined();
    expect(withoutIndicators(dataset)).toBe(dataset);
  });

  it('the scaler passes indicators through and zeroes one never set in the training rows (an unseen category)', () => {
    const scaler = FeatureScaler.fit(
      ['x', 'c=a', 'c=b'],
      [
        [1, 1, 0],
        [3, 1, 0],
      ],
      { indicators: ['c=a', 'c=b'] },
    );
    expect(scaler.parameters.kind).toEqual(['numeric', 'indicator', 'unseen-indicator']);
    expect(scaler.indicatorNames).toEqual(['c=a', 'c=b']);
    const out = Array.from(
      scaler.transform([
        [1, 1, 0],
        [3, 0, 1],
      ]),
    );
    expect(out[1]).toBe(1);
    expect(out[2]).toBe(0);
    expect(out[4]).toBe(0);
    expect(out[5]).toBe(0); // unseen category: the zero vector
    expect(Math.abs(out[0] + out[3])).toBeLessThan(1e-6); // x standardised
    expect(FeatureScaler.fit(['x'], [[1], [2]]).parameters.kind).toBeUndefined();
    expect(() => FeatureScaler.fromParameters({ ...scaler.parameters, kind: ['numeric'] })).toThrow('3 entries');
  });

  it('derives indicator columns from the categorical column when predicting from a CSV', () => {
    const { rows } = featureRowsFromCsv(
      ['x,project', '2,p1', '4,p9'].join('\n'),
      ['x', 'project=p1', 'project=p2'],
      ['project=p1', 'project=p2'],
    );
    expect(rows).toEqual([
      [2, 1, 0],
      [4, 0, 0],
    ]);
    expect(() => featureRowsFromCsv('x\n2\n', ['x', 'project=p1'], ['project=p1'])).toThrow(MissingColumnError);
  });

  it('withoutIndicators drops exactly the indicator features (leave-projects-out)', () => {
    const dataset = datasetFromCsv(csv, {
      label: 'flaky',
      drop: ['name'],
      group: 'project',
      categorical: ['project'],
    });
    const stripped = withoutIndicators(dataset);
    expect(stripped.featureNames).toEqual(['x']);
    expect(stripped.features).toEqual([[1], [3], [5]]);
    expect(stripped.indicatorFeatures).toBeUndefined();
  });

  const title =
    'a model trained with a category learns it, saves it,' +
    ' and treats missing indicators in a keyed input as 0';
  it(title, async () => {
    // The label is the category alone: only the indicator features carry the signal.
    const lines = ['x,team,flaky'];
    for (let i = 0; i < 240; i++)
      lines.push(`${(i * 7) % 13},${['red', 'blue', 'green'][i % 3]},${i % 3 === 0 ? 1 : 0}`);
    const dataset: Dataset = datasetFromCsv(lines.join('\n'), { label: 'flaky', categorical: ['team'] });
    const { model } = await trainFlakinessModel(dataset, {
      hiddenUnits: [8],
      maxEpochs: 60,
      patience: 10,
      batchSize: 32,
      learningRate: 0.02,
      seed: 3,
    });
    expect(model.indicatorFeatures).toEqual(['team=blue', 'team=green', 'team=red']);
    const labels = dataset.labels as Label[];
    expect(model.evaluate(dataset.features, labels).f1).toBeGreaterThan(0.95);
    const red = await model.predict({ x: 3, 'team=red': 1 }, { deadlineMs: 60_000 });
    const blue = await model.predict({ x: 3, 'team=blue': 1 }, { deadlineMs: 60_000 });
    expect(red.probability!).toBeGreaterThan(blue.probability!);
    await model.save(dir);
    const loaded = await FlakinessModel.load(dir);
    expect(loaded.indicatorFeatures).toEqual(model.indicatorFeatures);
    expect((await loaded.predict({ x: 3, 'team=red': 1 }, { deadlineMs: 60_000 })).probability).toBeCloseTo(
      red.probability!,
      5,
    );
    expect((await loaded.predict({ 'team=red': 1 })).fallback).toBe(true); // a numeric feature is still required
    model.dispose();
    loaded.dispose();
  });
});
