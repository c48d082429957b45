import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { trainFlakinessModel } from '@agentlink/learning';
import { toDataset } from '../../src/model/learning-predictor';
import { readFlakeFlaggerSuite, resolveDataDir } from '../../src/suite/suite-files';
import { runCli } from '../../src/cli/run-cli';
import { resolveAgentEntry } from '../../src/fleet/agent-entry';

let modelDir: string;

beforeAll(async () => {
  // A small saved model keeps these runs short; the fleet tests cover start-up training.
  modelDir = await mkdtemp(path.join(tmpdir(), 'qe-fleet-cli-model-'));
  const trained = await trainFlakinessModel(
    toDataset(await readFlakeFlaggerSuite(resolveDataDir(undefined, process.cwd()))),
    { hiddenUnits: [8], maxEpochs: 2, batchSize: 512 },
  );
  await trained.model.save(modelDir);
  trained.model.dispose();
});

afterAll(async () => {
  await rm(modelDir, { recursive: true, force: true });
});

describe('qe-fleet CLI', () => {
  it('runs a fleet with the given flags, prints the summary table and exits 0', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ['--agents', '5', '--suite-size', '40', '--duration', '1', '--seed', '3', '--model', modelDir],
      { out: (l) => out.push(l), err: (l) => err.push(l) },
    );
    expect(code).toBe(0);
    const table = out.join('\n');
    expect(table).toContain('qe-fleet summary');
    expect(table).toMatch(/completed exactly once\s+\| 40/);
    expect(table).toMatch(/lost\s+\| 0/);
    expect(err.join('\n')).toContain(`analyser: loaded model from ${modelDir}`);
  }, 120_000);

  it('prints the summary as JSON with --json', async () => {
    const out: string[] = [];
    const code = await runCli(
      ['--agents', '4', '--suite-size', '20', '--duration', '1', '--json', '--transport', 'auto', '--model', modelDir],
      { out: (l) => out.push(l), err: () => undefined },
    );
    expect(code).toBe(0);
    const summary = JSON.parse(out.join('\n')) as { transport: string; accounting: { completedOnce: number } };
    expect(summary).toMatchObject({ transport: 'auto', accounting: { completedOnce: 20 } });
  }, 120_000);

  it('the entry point exits non-zero with a typed error on a bad flag', async () => {
    const entry = resolveAgentEntry(path.resolve(import.meta.dirname ?? '.', '..', '..', 'src', 'fleet'));
    const child = spawn(process.execPath, [...entry.nodeArgs, entry.file, '--transport', 'carrier-pigeon'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('ERR_INVALID_FLAG');
  }, 60_000);
});
