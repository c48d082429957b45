import { createRequire } from 'node:module';
import path from 'node:path';
import type { RunnerAdapter } from '../types';
import { captureStdout, nameFilter, relativeFiles, resolveBin } from './project-files';
import { jestNodeFlags, jestRootOf, jestWorkspaces } from './jest-workspaces';
import { NoTestFilesError } from '../run-errors';

// jest-junit ships with qe-fleet, so a project needs only jest itself.
const reporter = (): string => createRequire(import.meta.url).resolve('jest-junit');

async function listTests(projectDir: string, packageDir: string): Promise<string[]> {
  const cwd = path.join(projectDir, packageDir);
  const bin = resolveBin(cwd, 'jest', 'jest', 'jest');
  const listed = await captureStdout([process.execPath, ...jestNodeFlags(cwd), bin, '--listTests', '--json'], cwd);
  if (listed.code !== 0)
    throw new NoTestFilesError(cwd, [`jest (--listTests exited ${listed.code}: ${listed.stderr.slice(-300)})`]);
  return relativeFiles(projectDir, JSON.parse(listed.stdout.trim() || '[]') as string[]);
}

/**
 * jest: files from `jest --listTests` (in each workspace package with a jest config when the root
 * has none, as in a monorepo), JUnit from jest-junit, reruns through `-t`.
 */
export const jestAdapter: RunnerAdapter = {
  name: 'jest',
  async discover(projectDir) {
    const packages = await jestWorkspaces(projectDir);
    if (packages.length === 0) return listTests(projectDir, '.');
    // Each listing is a jest start-up (config, haste map): list the packages side by side.
    const lists = await Promise.all(packages.map((dir) => listTests(projectDir, dir)));
    return lists.flat().sort();
  },
  invocation(projectDir, file, junitPath, testName) {
    const packageDir = path.join(projectDir, jestRootOf(projectDir, file));
    const bin = resolveBin(packageDir, 'jest', 'jest', 'jest');
    const relative = path.relative(packageDir, path.join(projectDir, file));
    const argv = [
      process.execPath,
      ...jestNodeFlags(packageDir),
      bin,
      '--ci',
      '--coverage=false',
      '--runTestsByPath',
      relative,
      `--reporters=${reporter()}`,
    ];
    if (testName !== undefined) argv.push('-t', nameFilter(testName));
    return {
      argv,
      cwd: packageDir,
      env: {
        JEST_JUNIT_OUTPUT_FILE: junitPath,
        // The case name is jest's full name (describe blocks and title), the one -t matches.
        JEST_JUNIT_CLASSNAME: '{filepath}',
        JEST_JUNIT_TITLE: '{classname} {title}',
        JEST_JUNIT_REPORT_TEST_SUITE_ERRORS: 'true',
      },
    };
  },
};
