import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/run-cli';
import { planRun } from '../../src/run/run-project';
import type { TestVerdict } from '../../src/run/verdicts';
import { FLAKY_PROJECT } from '../support/flaky-fixture';

// The CI-sized part of "this repository's own suite through the fleet": the whole run is
// tools/scripts/fleet-vs-npm-test.mjs (results in the README), too slow for every CI run.
const REPO = path.resolve(FLAKY_PROJECT, '../..');
const FILES = ['packages/resilience/test/backoff.test.ts', 'packages/resilience/test/classify.test.ts'];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qe-fleet-self-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** What `npm test` in the package reports for these files: jest's own JSON, id → status. */
async function jestVerdicts(packageDir: string, files: readonly string[]): Promise<Map<string, string>> {
  const out = path.join(work, 'jest.json');
  const jest = path.join(REPO, 'node_modules/jest/bin/jest.js');
  const args = ['--experimental-vm-modules', jest, '--ci', '--coverage=false', '--json', `--outputFile=${out}`];
  const child = spawn(process.execPath, [...args, ...files.map((f) => path.relative(packageDir, f))], {
    cwd: packageDir,
    stdio: 'ignore',
  });
  await new Promise((resolve) => child.once('close', resolve));
  type Assertion = { fullName: string; status: string };
  type Report = { testResults: Array<{ name: string; assertionResults: Assertion[] }> };
  const report = JSON.parse(await readFile(out, 'utf8')) as Report;
  return new Map(
    report.testResults.flatMap((file) =>
      file.assertionResults.map((a) => [`${path.relative(REPO, file.name)} > ${a.fullName}`, a.status] as const),
    ),
  );
}

describe('this repository run through the fleet (qe-fleet run --project .)', () => {
  it("discovers every file of the packages npm test runs with jest, and none of the fixture's", async () => {
    const plan = await planRun(REPO, {});
    const files = plan.tasks.map((t) => t.task.file);
    const top = new Set(files.map((f) => f.split('/').slice(0, 2).join('/')));
    expect([...top].sort()).toEqual([
      'apps/qe-fleet',
      'packages/learning',
      'packages/resilience',
      'packages/telemetry',
      'packages/test-harness',
      'packages/transport',
    ]);
    expect(files).toEqual(expect.arrayContaining([...FILES, 'apps/qe-fleet/test/integration/repo-self-run.test.ts']));
  }, 300_000);

  it('gives the same verdict to every test of two resilience files as jest run in the package', async () => {
    const result = { out: [] as string[], err: [] as string[] };
    const code = await runCli(
      [
        'run',
        '--project',
        REPO,
        ...FILES.flatMap((f) => ['--files', f]),
        '--executors',
        '2',
        '--no-history',
        '--out',
        path.join(work, 'out'),
        '--quarantine',
        path.join(work, 'quarantine.json'),
        '--json',
        '--progress',
        'none',
      ],
      { out: (l) => result.out.push(l), err: (l) => result.err.push(l) },
    );
    const summary = JSON.parse(result.out.join('\n')) as { verdicts: TestVerdict[]; files: number };
    const fleet = new Map(summary.verdicts.map((v) => [v.id, v.verdict]));
    const local = await jestVerdicts(path.join(REPO, 'packages/resilience'), FILES.map((f) => path.join(REPO, f)));
    expect(summary.files).toBe(2);
    expect(local.size).toBeGreaterThan(10);
    expect(new Map([...fleet].sort())).toEqual(new Map([...local].sort()));
    expect(code).toBe(0);
  }, 300_000);
});
