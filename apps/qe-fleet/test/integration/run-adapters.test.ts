import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { jestAdapter } from '../../src/run/adapters/jest-adapter';
import { jestWorkspaces } from '../../src/run/adapters/jest-workspaces';
import { adapterFor, detectRunnerNames } from '../../src/run/adapters/detect-runners';
import { executeFile } from '../../src/run/execute-file';
import type { RunnerName } from '../../src/run/types';
import { FLAKY_PROJECT } from '../support/flaky-fixture';

const cases: Array<[RunnerName, string, string]> = [
  ['jest', 'jest', '.test.cjs'],
  ['vitest', 'vitest', '.test.mjs'],
  ['mocha', 'mocha', '.spec.cjs'],
  ['node-test', 'node-test', '.test.mjs'],
];
const FILES = ['order', 'randomness', 'shared-state', 'slow', 'stable', 'timing'];

describe('runner adapters on examples/flaky-project (real runners, JUnit XML only)', () => {
  it('detects all four runners from package.json', () => {
    expect(detectRunnerNames(FLAKY_PROJECT)).toEqual(['jest', 'vitest', 'mocha', 'node-test']);
  });

  it.each(cases)(
    '%s: lists its files, runs a whole file, reruns one case alone through its filter',
    async (runner, dir, ext) => {
      const adapter = adapterFor(runner);
      const files = await adapter.discover(FLAKY_PROJECT);
      const expected = FILES.map((f) => `${dir}/${f}${ext}`);
      expect(files).toEqual(runner === 'jest' ? [...expected, 'jest/pricing.test.cjs'].sort() : expected);
      const options = { projectDir: FLAKY_PROJECT, adapter, executor: 'e1', runId: 'r1' };
      const whole = await executeFile({ taskId: 't1', runner, file: `${dir}/stable${ext}`, attempt: 1 }, options);
      expect(whole.error).toBeUndefined();
      expect(whole.cases.map((c) => [c.name, c.outcome])).toEqual([
        ['adds two numbers', 'passed'],
        ['adds again after a short wait', 'passed'],
        ['adds a third time', 'passed'],
      ]);
      const one = await executeFile(
        { taskId: 't2', runner, file: `${dir}/stable${ext}`, testName: 'adds again after a short wait', attempt: 2 },
        options,
      );
      expect(one.cases.map((c) => [c.name, c.outcome])).toEqual([['adds again after a short wait', 'passed']]);
      expect(one.cases[0]!.durationMs).toBeGreaterThanOrEqual(25);
    },
    60_000,
  );

  const monorepoTitle =
    'jest in a monorepo without a root config: each package whose test script runs jest runs its own files';
  it(monorepoTitle, async () => {
    const repo = path.resolve(FLAKY_PROJECT, '../..');
    const packages = await jestWorkspaces(repo);
    expect(packages).toEqual(expect.arrayContaining(['apps/qe-fleet', 'packages/resilience', 'packages/transport']));
    // The fixture configures jest but its package has no `test` script: npm test never runs it.
    expect(packages).not.toContain('examples/flaky-project');
    expect(await jestWorkspaces(FLAKY_PROJECT)).toEqual([]);
    const invocation = jestAdapter.invocation(repo, 'packages/resilience/test/backoff.test.ts', '/tmp/j.xml', 'x');
    expect(invocation.cwd).toBe(path.join(repo, 'packages/resilience'));
    expect(invocation.argv).toEqual(
      expect.arrayContaining(['--experimental-vm-modules', '--runTestsByPath', 'test/backoff.test.ts', '-t', 'x$']),
    );
  });
});
