import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/run-cli';
import { planRun } from '../../src/run/run-project';
import type { TestVerdict } from '../../src/run/verdicts';
import { FLAKY_PROJECT } from '../support/flaky-fixture';
// The comparison tools/scripts/fleet-vs-npm-test.mjs makes for the whole repository.
import { compareVerdicts, fleetVerdicts, runPackageJest } from '../support/jest-verdicts.mjs';

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
    // The timing-bound files the root package.json lists run alone (as npm test's jest runs them on 2 cores).
    const alone = plan.tasks.filter((t) => t.task.serial === true).map((t) => t.task.file);
    expect(alone).toEqual(expect.arrayContaining(['apps/qe-fleet/test/integration/alerts-e2e.test.ts']));
    expect(alone.sort()).toEqual(
      (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { 'qe-fleet': { serial: string[] } })[
        'qe-fleet'
      ].serial.sort(),
    );
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
    const fleet = fleetVerdicts(summary);
    const npmTest = await runPackageJest(REPO, 'packages/resilience', path.join(work, 'jest.json'), FILES);
    expect(summary.files).toBe(2);
    expect(npmTest.verdicts.size).toBeGreaterThan(10);
    expect([...fleet.keys()].sort()).toEqual([...npmTest.verdicts.keys()].sort());
    expect(compareVerdicts(npmTest.verdicts, fleet)).toEqual([]);
    expect(code).toBe(0);
  }, 300_000);
});
