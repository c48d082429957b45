import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/run-cli';
import type { TestVerdict } from '../../src/run/verdicts';
import { writeSharedCpuProject } from '../support/shared-cpu-project';

const ALONE = 'test/alone.test.mjs > has the machine to itself';
let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qe-fleet-serial-run-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs the project on 2 executors x 2 slots with no reruns; the exit code and each test's verdict. */
async function run(
  project: string,
  extra: readonly string[] = [],
): Promise<{ code: number; verdicts: Map<string, string> }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    [
      'run',
      '--project',
      project,
      '--executors',
      '2',
      '--slots',
      '2',
      '--reruns',
      '0',
      '--no-history',
      '--out',
      path.join(project, 'out'),
      '--quarantine',
      path.join(project, 'quarantine.json'),
      '--json',
      '--progress',
      'none',
      ...extra,
    ],
    { out: (l) => out.push(l), err: (l) => err.push(l) },
  );
  if (out.length === 0) throw new Error(`no summary (exit ${code}): ${err.join('\n')}`);
  const summary = JSON.parse(out.join('\n')) as { verdicts: TestVerdict[] };
  return { code, verdicts: new Map(summary.verdicts.map((v) => [v.id, v.verdict])) };
}

describe('qe-fleet run: timing-bound files run alone (--serial, package.json "qe-fleet")', () => {
  it('a file that fails beside others fails on a fleet run without the option (the fixture can tell)', async () => {
    const project = await writeSharedCpuProject(path.join(work, 'plain'), { busy: 3, ms: 3_000 });
    const { code, verdicts } = await run(project);
    expect(verdicts.get(ALONE)).toBe('failed');
    expect(code).toBe(1);
  }, 120_000);

  it('listed in package.json "qe-fleet".serial it runs alone and passes; so do the others', async () => {
    const project = await writeSharedCpuProject(path.join(work, 'listed'), {
      busy: 3,
      ms: 3_000,
      serial: ['test/alone.test.mjs'],
    });
    const { code, verdicts } = await run(project);
    expect([...verdicts.values()]).toEqual(['passed', 'passed', 'passed', 'passed']);
    expect(verdicts.get(ALONE)).toBe('passed');
    expect(code).toBe(0);
  }, 120_000);

  it('named with --serial GLOB it runs alone and passes', async () => {
    const project = await writeSharedCpuProject(path.join(work, 'flag'), { busy: 3, ms: 3_000 });
    const { code, verdicts } = await run(project, ['--serial', 'test/alone.*']);
    expect(verdicts.get(ALONE)).toBe('passed');
    expect(code).toBe(0);
  }, 120_000);
});
