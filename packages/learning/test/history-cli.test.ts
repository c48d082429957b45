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

  const base = ['--data', csv, '--label', 'flaky', '--out', dir];
  const keyed = [...base, '--history-key', 'name'];
  const badOptions: readonly [string, readonly string[], number, string][] = [
    ['--history-key-strip without --history-key', [...base, '--history-key-strip', '1'], 2, ''],
    ['a negative --history-key-strip', [...keyed, '--history-key-strip', '-1'], 2, ''],
    ['a non-numeric --history-key-strip', [...keyed, '--history-key-strip', 'x'], 2, ''],
    ['an empty --history-key-separator', [...keyed, '--history-key-separator', ''], 2, ''],
    ['a non-numeric --history-smoothing', [...keyed, '--history-smoothing', 'abc'], 2, ''],
    ['a missing --history-key column', [...base, '--drop', 'name', '--history-key', 'test'], 1, 'ERR_MISSING_COLUMN'],
    ['--history-folds 1', [...keyed, '--history-folds', '1'], 1, 'ERR_INVALID_OPTIONS'],
  ];
  const title = 'train rejects %s (usage errors exit 2, bad values exit 1 with their code)';
  it.each(badOptions)(title, async (_, argv, code, err) => {
    const result = await cli('train', ...argv);
    expect(result.code).toBe(code);
    expect(result.err).toContain(err);
  });

  it('train saves the table; predict and evaluate read the key column, unseen keys included', async () => {
    const modelDir = path.join(dir, 'cli-history-model');
    const options = ['--history-key', 'name', '--history-key-strip', '1', '--history-smoothing', '1'];
    options.push('--history-folds', '3');
    const train = await cli('train', '--data', csv, '--label', 'flaky', ...options, '--out', modelDir, ...fast);
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
