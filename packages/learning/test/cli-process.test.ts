import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { datasetToCsv, syntheticDataset, tempDirectory } from './fixtures';

// The built bin (the test target builds first): each command runs in a process of its own, as a
// user runs them, so nothing a previous command set up in memory (such as the TF.js backend) helps.
const bin = path.resolve(import.meta.dirname, '..', 'dist', 'cli.js');
const { dir, cleanup } = tempDirectory();
afterAll(cleanup);
const csv = path.join(dir, 'data.csv');
writeFileSync(csv, datasetToCsv(syntheticDataset(200, 31, { groups: 5 })));

function learn(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...argv], { timeout: 90_000 }, (error, out, err) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, out, err });
    });
  });
}

describe('agentlink-learn in separate processes', () => {
  it('a model saved by `train` loads in a new process for `predict` and `evaluate`', async () => {
    const modelDir = path.join(dir, 'model');
    const train = await learn(
      'train',
      '--data',
      csv,
      '--label',
      'label',
      '--drop',
      'id,group',
      '--out',
      modelDir,
      '--epochs',
      '5',
      '--hidden',
      '8',
    );
    expect(train).toMatchObject({ code: 0 });

    const predicted = await learn('predict', '--model', modelDir, '--data', csv);
    expect(predicted.err).not.toContain('ERR_MODEL_FORMAT');
    expect(predicted.code).toBe(0);
    const answers = JSON.parse(predicted.out) as { fallback: boolean; probability: number | null; reason?: string }[];
    expect(answers).toHaveLength(200);
    // Under heavy load a prediction may miss its 100 ms budget (reason 'deadline'); a model that did
    // not load would answer every row with reason 'error'.
    expect(answers.filter((a) => a.reason === 'error')).toEqual([]);
    expect(answers.some((a) => !a.fallback && typeof a.probability === 'number')).toBe(true);

    const evaluated = await learn(
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
    expect(JSON.parse(evaluated.out)).toMatchObject({ model: modelDir, test: { f1: expect.any(Number) } });
  }, 180_000);

  // Errors as a user meets them: the exit code of the process (2 usage, 1 data or model) and the message.
  it.each([
    {
      title: 'a directory without a model fails with ERR_MODEL_FORMAT naming the files to give, not "retrain"',
      argv: ['predict', '--model', path.join(dir, 'absent'), '--data', csv],
      code: 1,
      contains: ['ERR_MODEL_FORMAT', 'model.json, weights.bin and flakiness-model.json'],
      lacks: 'retrain',
    },
    {
      title: 'an unknown option exits 2 with the usage text',
      argv: ['train', '--data', csv, '--label', 'label', '--bogus', '--out', dir],
      code: 2,
      contains: ['--bogus', 'agentlink-learn'],
      lacks: '    at ',
    },
    {
      title: 'a --label column the data lacks exits 1 with ERR_MISSING_COLUMN naming it, no stack trace',
      argv: ['train', '--data', csv, '--label', 'nope', '--out', path.join(dir, 'never')],
      code: 1,
      contains: ['ERR_MISSING_COLUMN', 'nope'],
      lacks: '    at ',
    },
  ])('$title', async ({ argv, code, contains, lacks }) => {
    const result = await learn(...argv);
    expect(result.code).toBe(code);
    for (const text of contains) expect(result.err).toContain(text);
    expect(result.err).not.toContain(lacks);
  }, 60_000);
});
