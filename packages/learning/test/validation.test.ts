import { afterAll, describe, expect, it } from '@jest/globals';
import {
  ClassImbalanceError,
  ConflictingLabelsError,
  CsvFormatError,
  DuplicateRowsError,
  FeatureCountError,
  FeatureTypeError,
  InvalidLabelError,
  MissingColumnError,
  NonFiniteFeatureError,
} from '../src/errors';
import { featureRowsFromCsv, loadCsvDataset } from '../src/load-dataset';
import { validateDataset } from '../src/validate-dataset';
import { trainFlakinessModel } from '../src/train-model';
import type { Dataset, Label } from '../src/types';
import { tempDirectory, writeCsv } from './fixtures';

const { dir, cleanup } = tempDirectory();
afterAll(cleanup);
const schema = { label: 'flaky', drop: ['name'] };
const header = 'name,x,y,flaky';
const balanced = ['t1,1,2,0', 't2,3,4,1', 't3,5,6,0', 't4,7,8,1'];

async function load(name: string, lines: string[], options = schema): Promise<Dataset> {
  return loadCsvDataset(writeCsv(dir, name, lines), options);
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code: string; rows: number[] }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code: string; rows: number[] };
  }
  throw new Error('expected a rejection');
}

describe('CSV loading with a declared schema', () => {
  it('loads a good file: features in header order, labels, CSV line numbers, groups', async () => {
    const dataset = await load('good.csv', ['name,x,y,flaky,project', 't1,1,2.5e0,0,p1', '"t,2",3,-4,true,p2'], {
      ...schema,
      group: 'project',
    } as typeof schema);
    expect(dataset.featureNames).toEqual(['x', 'y']);
    expect(dataset.features).toEqual([
      [1, 2.5],
      [3, -4],
    ]);
    expect(dataset.labels).toEqual([0, 1]);
    expect(dataset.rowNumbers).toEqual([2, 3]);
    expect(dataset.groups).toEqual(['p1', 'p2']);
  });

  it('names rows with the wrong cell count', async () => {
    const error = await rejection(load('width.csv', [header, 't1,1,2,0', 't2,3,1', 't3,5,6,0,9']));
    expect(error).toBeInstanceOf(FeatureCountError);
    expect(error.code).toBe('ERR_FEATURE_COUNT');
    expect(error.rows).toEqual([3, 4]);
  });

  it('rejects a header that differs from the declared feature list', async () => {
    const error = await rejection(
      load('schema.csv', [header, ...balanced], { ...schema, features: ['y', 'x'] } as typeof schema),
    );
    expect(error).toBeInstanceOf(FeatureCountError);
    const missing = await rejection(
      load('schema2.csv', [header, ...balanced], { ...schema, features: ['x', 'z'] } as typeof schema),
    );
    expect(missing).toBeInstanceOf(MissingColumnError);
  });

  it('names rows with non-numeric or empty features and their columns', async () => {
    const error = await rejection(load('type.csv', [header, 't1,1,2,0', 't2,abc,4,1', 't3,5,,0']));
    expect(error).toBeInstanceOf(FeatureTypeError);
    expect(error.rows).toEqual([3, 4]);
    expect((error as unknown as FeatureTypeError).columns).toEqual(['x', 'y']);
  });

  it('names rows with bad labels', async () => {
    const error = await rejection(load('label.csv', [header, 't1,1,2,0', 't2,3,4,yes', 't3,5,6,2']));
    expect(error).toBeInstanceOf(InvalidLabelError);
    expect(error.rows).toEqual([3, 4]);
  });

  it('rejects missing label, drop or group columns', async () => {
    expect(await rejection(load('miss.csv', [header, ...balanced], { label: 'nope', drop: [] }))).toBeInstanceOf(
      MissingColumnError,
    );
    expect(
      await rejection(load('miss2.csv', [header, ...balanced], { label: 'flaky', drop: ['nope'] })),
    ).toBeInstanceOf(MissingColumnError);
  });

  it('rejects empty files and unterminated quotes', async () => {
    expect(await rejection(load('empty.csv', []))).toBeInstanceOf(CsvFormatError);
    const quote = await rejection(load('quote.csv', [header, 't1,1,2,0', '"t2,3,4,1']));
    expect(quote).toBeInstanceOf(CsvFormatError);
    expect(quote.rows).toEqual([3]);
  });

  it('reads unlabelled rows for prediction by feature name', () => {
    expect(featureRowsFromCsv('name,y,x\r\nt1,2,1\r\n\r\nt2,4,3\r\n', ['x', 'y'])).toEqual({
      rows: [
        [1, 2],
        [3, 4],
      ],
      rowNumbers: [2, 4],
    });
    expect(() => featureRowsFromCsv('x,y\n1,a\n', ['x', 'y'])).toThrow(FeatureTypeError);
    expect(() => featureRowsFromCsv('x,y\n1\n', ['x', 'y'])).toThrow(FeatureCountError);
  });
});

describe('validateDataset', () => {
  it('names rows holding NaN or Infinity', async () => {
    const dataset = await load('nan.csv', [header, 't1,1,2,0', 't2,NaN,4,1', 't3,5,-Infinity,0', 't4,inf,1,1']);
    let error: NonFiniteFeatureError | undefined;
    try {
      validateDataset(dataset);
    } catch (e) {
      error = e as NonFiniteFeatureError;
    }
    expect(error).toBeInstanceOf(NonFiniteFeatureError);
    expect(error!.rows).toEqual([3, 4, 5]);
    expect(error!.columns).toEqual(['x', 'y']);
  });

  it('reports exact duplicates, conflicting labels and class imbalance as warnings naming rows', async () => {
    const lines = [
      header,
      't1,1,2,0',
      't2,1,2,0',
      't3,1,2,1',
      ...Array.from({ length: 40 }, (_, i) => `n${i},${i + 10},0,0`),
    ];
    const report = validateDataset(await load('warn.csv', lines));
    const byCode = Object.fromEntries(report.warnings.map((w) => [w.code, w.rows]));
    expect(byCode.ERR_DUPLICATE_ROWS).toEqual([3]);
    expect(byCode.ERR_CONFLICTING_LABELS).toEqual([2, 3, 4]);
    expect(byCode.ERR_CLASS_IMBALANCE).toEqual([]);
    expect(report.classBalance).toEqual({ positives: 1, negatives: 42, positiveFraction: 1 / 43 });
  });

  it('raises each warning as its typed error when the caller makes it fatal', async () => {
    const dataset = await load('fatal.csv', [
      header,
      't1,1,2,0',
      't2,1,2,0',
      't3,1,2,1',
      ...Array.from({ length: 40 }, (_, i) => `n${i},${i + 10},0,0`),
    ]);
    expect(() => validateDataset(dataset, { fatal: ['ERR_DUPLICATE_ROWS'] })).toThrow(DuplicateRowsError);
    expect(() => validateDataset(dataset, { fatal: ['ERR_CONFLICTING_LABELS'] })).toThrow(ConflictingLabelsError);
    expect(() => validateDataset(dataset, { fatal: ['ERR_CLASS_IMBALANCE'] })).toThrow(ClassImbalanceError);
    expect(() => validateDataset(dataset, { fatal: 'all' })).toThrow(DuplicateRowsError);
    expect(validateDataset(await load('ok.csv', [header, ...balanced]), { fatal: 'all' }).warnings).toEqual([]);
  });

  it('a label with one class is an error, in the data set and in the training rows of a split', async () => {
    const base = { featureNames: ['x'], rowNumbers: [2, 3, 4], groups: undefined, features: [[1], [2], [3]] };
    expect(() => validateDataset({ ...base, labels: [0, 0, 0] })).toThrow(
      expect.objectContaining({ code: 'ERR_SINGLE_CLASS', label: 0 }),
    );
    expect(() => validateDataset({ ...base, labels: [1, 1, 1] })).toThrow(
      expect.objectContaining({ code: 'ERR_SINGLE_CLASS', label: 1 }),
    );
    const mixed = {
      featureNames: ['x'],
      rowNumbers: [2, 3, 4, 5, 6, 7],
      features: [[1], [2], [3], [4], [5], [6]],
      labels: [0, 0, 0, 0, 1, 1] as Label[],
    };
    await expect(trainFlakinessModel(mixed, { indexes: [0, 1, 2, 3], family: 'gbdt' })).rejects.toMatchObject({
      code: 'ERR_SINGLE_CLASS',
      message: expect.stringContaining('every training row'),
    });
  });

  it('checks in-memory data sets for shape and labels too', () => {
    const base = { featureNames: ['x'], rowNumbers: [2, 3], groups: undefined };
    expect(() => validateDataset({ ...base, features: [[1], [1, 2]], labels: [0, 1] })).toThrow(FeatureCountError);
    expect(() => validateDataset({ ...base, features: [[1], [2]], labels: [0] as never })).toThrow(FeatureCountError);
    expect(() => validateDataset({ ...base, features: [[1], [2]], labels: [0, 3] as never })).toThrow(
      InvalidLabelError,
    );
    expect(() =>
      validateDataset({ ...base, features: [[1], [2]], labels: [0, 1] }, { minMinorityFraction: 0.9 }),
    ).toThrow('minMinorityFraction');
  });
});
