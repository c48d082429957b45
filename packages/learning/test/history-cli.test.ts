import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { selectBackend } from '../src/backend';
import { FlakinessModel } from '../src/flakiness-model';
import { cli } from './cli-run';
import { classHistoryCsv, tempDirectory } from './fixtures';

const { dir, cleanup } = tempDirectory();
afterAll(cleanup);
beforeAll(async () => {
  await selectBackend('auto');
});

describe('agentlink-learn --history-key', () => {
  const csv = path.join(dir, 'history.csv');
  writeFileSync(csv, classHistoryCsv(40, 8, 11));
  const fast = ['--family', 'network', '--epochs', '10', '--patience', '3', '--hidden', '8'];

  it('validates the history options (usage errors exit 2, a missing column exits 1 with its code)', async () => {
    expect(
      (await cli('train', '--data', csv, '--label', 'flaky', '--history-key-strip', '1', '--out', dir)).code,
    ).toBe(2);
    expect(
      (
        await cli(
          'train',
          '--data',
          csv,
          '--label',
          'flaky',
          '--history-key',
          'name',
          '--history-key-strip',
          '-1',
          '--out',
          dir,
        )
      ).code,
    ).toBe(2);
    expect(
      (
        await cli(
          'train',
          '--data',
          csv,
          '--label',
          'flaky',
          '--history-key',
          'name',
          '--history-key-strip',
          'x',
          '--out',
          dir,
        )
      ).code,
    ).toBe(2);
    expect(
      (
        await cli(
          'train',
          '--data',
          csv,
          '--label',
          'flaky',
          '--history-key',
          'name',
          '--history-key-separator',
          '',
          '--out',
          dir,
        )
      ).code,
    ).toBe(2);
    expect(
      (
        await cli(
          'train',
          '--data',
          csv,
          '--label',
          'flaky',
          '--history-key',
          'name',
          '--history-smoothing',
          'abc',
          '--out',
          dir,
        )
      ).code,
    ).toBe(2);
    const missing = await cli(
      'train',
      '--data',
      csv,
      '--label',
      'flaky',
      '--drop',
      'name',
      '--history-key',
      'test',
      '--out',
      dir,
    );
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('ERR_MISSING_COLUMN');
    const folds = await cli(
      'train',
      '--data',
      csv,
      '--label',
      'flaky',
      '--history-key',
      'name',
      '--history-folds',
      '1',
      '--out',
      dir,
    );
    expect(folds.code).toBe(1);
    expect(folds.err).toContain('ERR_INVALID_OPTIONS');
  });

  it('train saves the table; predict and evaluate read the key column, unseen keys included', async () => {
    const modelDir = path.join(dir, 'cli-history-model');
    const train = await cli(
      'train',
      '--data',
      csv,
      '--label',
      'flaky',
      '--history-key',
      'name',
      '--history-key-strip',
      '1',
      '--history-smoothing',
      '1',
      '--history-folds',
      '3',
      '--out',
      modelDir,
      ...fast,
    );
    expect(train.code).toBe(0);
    const loaded = await FlakinessModel.load(modelDir);
    expect(loaded.historyKey).toEqual({ column: 'name', stripSegments: 1, separator: '.' });
    expect(loaded.metadata.history!.smoothing).toBe(1);
    loaded.dispose();
    const unlabelled = path.join(dir, 'history-unlabelled.csv');
    writeFileSync(unlabelled, 'name,noise\npkg.Class0.new,0.5\nnew.Class.m,0.5\n');
    const answers = JSON.parse((await cli('predict', '--model', modelDir, '--data', unlabelled)).out);
    expect(answers.map((a: { fallback: boolean }) => a.fallback)).toEqual([false, false]);
    const noKey = path.join(dir, 'history-no-key.csv');
    writeFileSync(noKey, 'noise\n0.5\n');
    const failed = await cli('predict', '--model', modelDir, '--data', noKey);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('ERR_MISSING_COLUMN');
    const evaluated = await cli('evaluate', '--model', modelDir, '--data', csv, '--label', 'flaky', '--drop', 'name');
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.out).test.rocAuc).toBeGreaterThan(0.5);
  });
});
