import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { flakeFlaggerFile } from '@agentlink/learning';

// Both binaries as built (the test target builds them first), each run in a process of its own:
// a model saved by `agentlink-learn train` must load in a fresh `qe-fleet --model` process.
const require = createRequire(import.meta.url);
const learnBin = path.join(path.dirname(require.resolve('@agentlink/learning/package.json')), 'dist', 'cli.js');
const fleetBin = path.resolve(import.meta.dirname, '..', '..', 'dist', 'main.js');

function run(file: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...argv], { timeout: 150_000, maxBuffer: 16 << 20 }, (error, out, err) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, out, err });
    });
  });
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qe-fleet-saved-model-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('qe-fleet --model in a new process', () => {
  it('runs a fleet with a model that `agentlink-learn train --out` saved in another process', async () => {
    const modelDir = path.join(work, 'model');
    const data = flakeFlaggerFile('FlakeFlagger_filtered_dataset.csv'); // the gzip copy the package ships
    const fast = [
      '--family',
      'network',
      '--epochs',
      '2',
      '--hidden',
      '8',
      '--batch-size',
      '512',
      '--test-fraction',
      '0',
    ];
    const train = await run(learnBin, [
      'train',
      '--data',
      data,
      '--label',
      'flakyStatus',
      '--drop',
      'test_name',
      '--out',
      modelDir,
      ...fast,
    ]);
    expect(train).toMatchObject({ code: 0 });

    const fleet = await run(fleetBin, [
      '--model',
      modelDir,
      '--agents',
      '4',
      '--suite-size',
      '20',
      '--duration',
      '1',
      '--seed',
      '5',
    ]);
    expect(fleet.err).not.toContain('ERR_MODEL_FORMAT');
    expect(fleet.err).toContain(`analyser: loaded model from ${modelDir}`);
    expect(fleet.code).toBe(0);
    expect(fleet.out).toMatch(/completed exactly once\s+\| 20/);
  }, 200_000);
});
