import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verdictsFromCsv } from '@agentlink/learning';
import xmllint from 'xmllint-wasm';
import { runCli } from '../../src/cli/run-cli';
import type { TestVerdict } from '../../src/run/verdicts';
import { expectedVerdict, FLAKES, FLAKY_PROJECT } from '../support/flaky-fixture';

const schema = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema/junit.xsd');
const SEED = '38';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qe-fleet-run-'));
  process.env.FLAKY_SEED = SEED;
});
afterAll(async () => {
  delete process.env.FLAKY_SEED;
  await rm(work, { recursive: true, force: true });
});

describe('qe-fleet run on examples/flaky-project over a QUIC fleet', () => {
  it(
    'node:test and mocha files: every flaky verdict is the seeded one, ' +
      'stable tests never flaky, reruns elsewhere',
    async () => {
      const out = path.join(work, 'nm');
      const result = await cli([
        'run',
        '--project',
        FLAKY_PROJECT,
        '--runner',
        'node-test',
        '--runner',
        'mocha',
        '--executors',
        '3',
        '--reruns',
        '2',
        '--history',
        path.join(work, 'history.db'),
        '--out',
        out,
        '--quarantine',
        path.join(work, 'nm-quarantine.json'),
        '--json',
        '--progress',
        'none',
      ]);
      const summary = JSON.parse(result.out) as {
        verdicts: TestVerdict[];
        accounting: { lost: number; duplicates: number; phantom: number };
      };
      const verdicts = new Map(summary.verdicts.map((v) => [v.id, v]));
      const flaky = FLAKES.flaky.filter((f) => f.runner === 'node-test' || f.runner === 'mocha');
      for (const entry of flaky)
        expect([entry.key, verdicts.get(`${entry.file} > ${entry.test}`)?.verdict]).toEqual([
          entry.key,
          expectedVerdict(entry, SEED, 2),
        ]);
      // Precision 1.0: no test outside the known flaky ones is ever called flaky or failed.
      const known = new Set(flaky.map((f) => `${f.file} > ${f.test}`));
      const others = summary.verdicts.filter((v) => !known.has(v.id));
      expect(others).toHaveLength(18);
      expect(others.filter((v) => v.verdict !== 'passed')).toEqual([]);
      const flakyNow = summary.verdicts.filter((v) => v.verdict === 'flaky');
      expect(flakyNow.length).toBeGreaterThanOrEqual(3);
      for (const v of flakyNow) expect(v.attempts[1]!.executor).not.toBe(v.attempts[0]!.executor);
      expect(summary.accounting).toMatchObject({ lost: 0, phantom: 0 });
      expect(result.code).toBe(0);
      const junit = await readFile(path.join(out, 'junit.xml'), 'utf8');
      const check = await xmllint.validateXML({
        xml: [{ fileName: 'junit.xml', contents: junit }],
        schema: [{ fileName: 'junit.xsd', contents: await readFile(schema, 'utf8') }],
      });
      expect(check.errors).toEqual([]);
      expect((junit.match(/<property name="flaky"/g) ?? []).length).toBe(flakyNow.length);
      const quarantine = JSON.parse(await readFile(path.join(work, 'nm-quarantine.json'), 'utf8')) as {
        tests: Array<{ id: string }>;
      };
      expect(quarantine.tests.map((t) => t.id).sort()).toEqual(flakyNow.map((v) => v.id).sort());
    },
  );

  it("qe-fleet history lists the run, a test's executions oldest first, and the flakiest tests", async () => {
    const db = ['--history', path.join(work, 'history.db')];
    const runs = await cli(['history', ...db, '--json']);
    expect(
      (JSON.parse(runs.out) as Array<{ status: string; exitCode: number }>).map((r) => [r.status, r.exitCode]),
    ).toEqual([['passed', 0]]);
    expect((await cli(['history', ...db])).out).toMatch(/^run id +status +exit[^\n]*\nrun-\S+ +passed +0 /);
    const flakiest = JSON.parse((await cli(['history', 'flakiest', ...db, '--json'])).out) as Array<{
      testId: string;
      flakyRuns: number;
    }>;
    expect(flakiest.length).toBeGreaterThanOrEqual(3);
    const id = flakiest[0]!.testId;
    const table = (await cli(['history', 'flakiest', ...db, '--limit', '1'])).out;
    expect(table).toContain(id);
    const executions = JSON.parse((await cli(['history', 'test', id, ...db, '--json'])).out) as Array<{
      attempt: number;
      outcome: string;
      at: number;
    }>;
    expect(executions.map((e) => e.outcome)).toEqual(['failed', 'passed']);
    expect(executions[0]!.at).toBeLessThanOrEqual(executions[1]!.at);
    expect((await cli(['history', 'test', id, ...db])).out).toMatch(/attempt 1 +failed[\s\S]*attempt 2 +passed/);
    // The verdict log for @agentlink/learning: one first-attempt verdict per test of the run.
    const csv = path.join(work, 'verdicts.csv');
    expect((await cli(['history', 'verdicts', ...db, '--out', csv])).code).toBe(0);
    const columns = { test: 'test', run: 'run', time: 'time', outcome: 'outcome', duration: 'duration' };
    const log = verdictsFromCsv(await readFile(csv, 'utf8'), columns);
    expect(log).toHaveLength(18 + FLAKES.flaky.filter((f) => f.runner === 'node-test' || f.runner === 'mocha').length);
    expect(log.filter((v) => v.test === id).map((v) => v.failed)).toEqual([true]);
    expect((await cli(['history', '--help'])).out).toContain('Usage: qe-fleet history');
    expect((await cli(['history', '--bogus'])).err).toContain('ERR_INVALID_FLAG: invalid value for --bogus');
  });

  it('jest: the real bug fails every attempt and the run exits 1; listed in --known-failures it exits 0', async () => {
    const base = [
      'run',
      '--project',
      FLAKY_PROJECT,
      '--runner',
      'jest',
      '--files',
      'jest/pricing*',
      '--executors',
      '2',
      '--no-history',
      '--progress',
      'none',
    ];
    const failing = await cli([...base, '--out', path.join(work, 'j1'), '--quarantine', path.join(work, 'j-q.json')]);
    expect(failing.code).toBe(1);
    expect(failing.out).toMatch(
      /FAILED:\n {2}- jest\/pricing\.test\.cjs > computes a percentage \(real bug\) \[fff\]/,
    );
    const known = path.join(work, 'known.json');
    await writeFile(known, JSON.stringify(['jest/pricing.test.cjs > computes a percentage (real bug)']));
    const passing = await cli([
      ...base,
      '--out',
      path.join(work, 'j2'),
      '--quarantine',
      path.join(work, 'j-q.json'),
      '--known-failures',
      known,
    ]);
    expect(passing.out).toMatch(
      /known failures \(--known-failures, not counted\):\n {2}- jest\/pricing\.test\.cjs > computes a percentage/,
    );
    expect(passing.code).toBe(0);
  });
});
