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

describe('agentlink-learn', () => {
  it('train saves a model and prints hold-out metrics beside the baseline; predict and evaluate use it', async () => {
    const modelDir = path.join(dir, 'model');
    const train = await cli(
      'train',
      '--data',
      csv,
      '--label',
      'label',
      '--drop',
      'id',
      '--group',
      'group',
      '--seed',
      '3',
      '--out',
      modelDir,
      ...fast,
    );
    expect(train.code).toBe(0);
    const summary = JSON.parse(train.out);
    expect(summary).toMatchObject({
      backend: expect.any(String),
      savedTo: modelDir,
      test: { f1: expect.any(Number) },
      majorityBaseline: { f1: 0 },
    });
    expect(existsSync(path.join(modelDir, 'model.json'))).toBe(true);

    const unlabelled = path.join(dir, 'unlabelled.csv');
    writeFileSync(unlabelled, 'noise,c,b,a,extra\n0.5,1,50,2,x\n0.1,0,1,0.1,y\n');
    const predicted = await cli(
      'predict',
      '--model',
      modelDir,
      '--data',
      unlabelled,
      '--out',
      path.join(dir, 'p.json'),
    );
    expect(predicted.code).toBe(0);
    const answers = JSON.parse(predicted.out);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatchObject({ row: 2, fallback: false, probability: expect.any(Number) });
    expect(JSON.parse(readFileSync(path.join(dir, 'p.json'), 'utf8'))).toEqual(answers);

    const evaluated = await cli(
      'evaluate',
      '--model',
      modelDir,
      '--data',
      csv,
      '--label',
      'label',
      '--drop',
      'id,group',
    );
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.out).test.f1).toBeGreaterThan(0);
  });

  const title =
    '--categorical one-hot encodes a column; predict and' +
    ' evaluate derive the indicators from that column';
  it(title, async () => {
    const modelDir = path.join(dir, 'categorical-model');
    const train = await cli(
      'train',
      '--data',
      csv,
      '--label',
      'label',
      '--drop',
      'id',
      '--categorical',
      'group',
      '--threshold-min-balanced-accuracy',
      '0.8',
      '--out',
      modelDir,
      ...fast,
    );
    expect(train.code).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(modelDir, 'flakiness-model.json'), 'utf8'));
    expect(saved.training.options.thresholdMinBalancedAccuracy).toBe(0.8);
    expect(saved.featureNames).toEqual([
      'a',
      'b',
      'c',
      'noise',
      'group=g0',
      'group=g1',
      'group=g2',
      'group=g3',
      'group=g4',
    ]);
    const unlabelled = path.join(dir, 'unlabelled-group.csv');
    writeFileSync(unlabelled, 'group,noise,c,b,a\ng1,0.5,1,50,2\nnew-group,0.1,0,1,0.1\n');
    const answers = JSON.parse((await cli('predict', '--model', modelDir, '--data', unlabelled)).out);
    expect(answers.map((a: { fallback: boolean }) => a.fallback)).toEqual([false, false]);
    const evaluated = await cli(
      'evaluate',
      '--model',
      modelDir,
      '--data',
      csv,
      '--label',
      'label',
      '--drop',
      'id',
      '--categorical',
      'group',
    );
    expect(JSON.parse(evaluated.out).test.f1).toBeGreaterThan(0);
  });

  it('train with --test-fraction 0 trains on every row', async () => {
    const result = await cli(
      'train',
      '--data',
      csv,
      '--label',
      'label',
      '--drop',
      'id,group',
      '--test-fraction',
      '0',
      '--out',
      path.join(dir, 'all'),
      ...fast,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out).test).toBeUndefined();
  });

  it('evaluate runs hold-out, cross-validation and leave-projects-out on any CSV and writes JSON', async () => {
    const out = path.join(dir, 'eval.json');
    const result = await cli(
      'evaluate',
      '--data',
      csv,
      '--label',
      'label',
      '--drop',
      'id',
      '--group',
      'group',
      '--mode',
      'all',
      '--folds',
      '3',
      '--group-folds',
      '2',
      '--floor-balanced-accuracy',
      '0.8',
      '--ensemble',
      '2',
      '--dropout',
      '0.2',
      '--learning-rate',
      '0.01',
      '--batch-size',
      '16',
      '--out',
      out,
      ...fast,
    );
    expect(result.code).toBe(0);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(written)).toEqual(['holdout', 'crossValidation', 'leaveProjectsOut']);
    expect(written.crossValidation.folds).toHaveLength(3);
    expect(written.crossValidation.pooledFloored.f1).toEqual(expect.any(Number));
    expect(written.holdout.folds[0].floored.threshold).toEqual(expect.any(Number));
    expect(result.err).toContain('fold 1/3');
  }, 120_000);

});
