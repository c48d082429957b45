import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from './cli-run';
import { datasetToCsv, syntheticDataset, tempDirectory } from './fixtures';

const { dir, cleanup } = tempDirectory();
afterAll(cleanup);
const csv = path.join(dir, 'data.csv');
writeFileSync(csv, datasetToCsv(syntheticDataset(200, 31, { groups: 5 })));
const fast = ['--family', 'network', '--epochs', '10', '--patience', '3', '--hidden', '8'];
const labelled = ['--data', csv, '--label', 'label'];
const json = (text: string) => JSON.parse(text);

/** train → predict → evaluate round trips: what differs per case is data in the table, one body runs them. */
interface RoundTrip {
  readonly title: string;
  readonly model: string;
  /** Options of `train` besides the data, label and the fast network options. */
  readonly train: readonly string[];
  /** Unlabelled rows for `predict` (its columns in any order). */
  readonly unlabelled: string;
  /** Options of `evaluate --model` besides the data and label. */
  readonly evaluate: readonly string[];
  /** What the saved model file must hold. */
  readonly saved: Record<string, unknown>;
  readonly predicted: readonly Record<string, unknown>[];
}

const roundTrips: readonly RoundTrip[] = [
  {
    title: 'train saves a model and prints hold-out metrics beside the baseline; predict and evaluate use it',
    model: 'model',
    train: ['--drop', 'id', '--group', 'group', '--seed', '3'],
    unlabelled: 'noise,c,b,a,extra\n0.5,1,50,2,x\n0.1,0,1,0.1,y\n',
    evaluate: ['--drop', 'id,group'],
    saved: { featureNames: ['a', 'b', 'c', 'noise'] },
    predicted: [{ row: 2, fallback: false, probability: expect.any(Number) }, { row: 3, fallback: false }],
  },
  {
    title:
      '--categorical one-hot encodes a column; predict and evaluate derive the indicators from that column' +
      ' (a group never seen maps to all-zero indicators, no fallback)',
    model: 'categorical-model',
    train: ['--drop', 'id', '--categorical', 'group', '--threshold-min-balanced-accuracy', '0.8'],
    unlabelled: 'group,noise,c,b,a\ng1,0.5,1,50,2\nnew-group,0.1,0,1,0.1\n',
    evaluate: ['--drop', 'id', '--categorical', 'group'],
    saved: {
      training: expect.objectContaining({ options: expect.objectContaining({ thresholdMinBalancedAccuracy: 0.8 }) }),
      featureNames: ['a', 'b', 'c', 'noise', ...[0, 1, 2, 3, 4].map((g) => `group=g${g}`)],
    },
    predicted: [
      { row: 2, fallback: false },
      { row: 3, fallback: false },
    ],
  },
];

describe('agentlink-learn', () => {
  it.each(roundTrips)('$title', async (c) => {
    const modelDir = path.join(dir, c.model);
    const train = await cli('train', ...labelled, ...c.train, '--out', modelDir, ...fast);
    expect(train.code).toBe(0);
    expect(json(train.out)).toMatchObject({
      backend: expect.any(String),
      savedTo: modelDir,
      test: { f1: expect.any(Number) },
      majorityBaseline: { f1: 0 },
    });
    expect(existsSync(path.join(modelDir, 'model.json'))).toBe(true);
    expect(json(readFileSync(path.join(modelDir, 'flakiness-model.json'), 'utf8'))).toMatchObject(c.saved);

    const unlabelled = path.join(dir, `${c.model}-unlabelled.csv`);
    const answersFile = path.join(dir, `${c.model}-answers.json`);
    writeFileSync(unlabelled, c.unlabelled);
    const predicted = await cli('predict', '--model', modelDir, '--data', unlabelled, '--out', answersFile);
    expect(predicted.code).toBe(0);
    const answers = json(predicted.out) as Record<string, unknown>[];
    expect(answers).toHaveLength(c.predicted.length);
    // A loaded machine may push an answer past the 100 ms budget: then it is the marked deadline
    // fallback (never an error); otherwise it is the expected prediction.
    answers.forEach((answer, i) => {
      const deadline = { row: c.predicted[i].row, fallback: true, reason: 'deadline' };
      expect(answer).toMatchObject(answer.fallback === true ? deadline : c.predicted[i]);
    });
    expect(json(readFileSync(answersFile, 'utf8'))).toEqual(answers);

    const evaluated = await cli('evaluate', '--model', modelDir, ...labelled, ...c.evaluate);
    expect(evaluated.code).toBe(0);
    expect(json(evaluated.out).test.f1).toBeGreaterThan(0);
  });

  it('train with --test-fraction 0 trains on every row', async () => {
    const all = path.join(dir, 'all');
    const options = ['--drop', 'id,group', '--test-fraction', '0', '--out', all];
    const result = await cli('train', ...labelled, ...options, ...fast);
    expect(result.code).toBe(0);
    expect(json(result.out).test).toBeUndefined();
  });

  it('evaluate runs hold-out, cross-validation and leave-projects-out on any CSV and writes JSON', async () => {
    const out = path.join(dir, 'eval.json');
    const options = {
      '--drop': 'id',
      '--group': 'group',
      '--mode': 'all',
      '--folds': '3',
      '--group-folds': '2',
      '--floor-balanced-accuracy': '0.8',
      '--ensemble': '2',
      '--dropout': '0.2',
      '--learning-rate': '0.01',
      '--batch-size': '16',
      '--out': out,
    };
    const result = await cli('evaluate', ...labelled, ...Object.entries(options).flat(), ...fast);
    expect(result.code).toBe(0);
    const written = json(readFileSync(out, 'utf8'));
    expect(Object.keys(written)).toEqual(['holdout', 'crossValidation', 'leaveProjectsOut']);
    expect(written.crossValidation.folds).toHaveLength(3);
    expect(written.crossValidation.pooledFloored.f1).toEqual(expect.any(Number));
    expect(written.holdout.folds[0].floored.threshold).toEqual(expect.any(Number));
    expect(result.err).toContain('fold 1/3');
  }, 300_000);
});
