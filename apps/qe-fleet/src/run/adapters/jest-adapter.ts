import { createRequire } from 'node:module';
import type { RunnerAdapter } from '../types';
import { captureStdout, nameFilter, relativeFiles, resolveBin } from './project-files';
import { NoTestFilesError } from '../run-errors';

// jest-junit ships with qe-fleet, so a project needs only jest itself.
const reporter = (): string => createRequire(import.meta.url).resolve('jest-junit');

/** jest: files from `jest --listTests`, JUnit from jest-junit, reruns through `-t`. */
export const jestAdapter: RunnerAdapter = {
  name: 'jest',
  async discover(projectDir) {
    const bin = resolveBin(projectDir, 'jest', 'jest', 'jest');
    const listed = await captureStdout([process.execPath, bin, '--listTests', '--json'], projectDir);
    if (listed.code !== 0) throw new NoTestFilesError(projectDir, [`jest (--listTests exited ${listed.code}: ${listed.stderr.slice(-300)})`]);
    return relativeFiles(projectDir, JSON.parse(listed.stdout.trim() || '[]') as string[]);
  },
  invocation(projectDir, file, junitPath, testName) {
    const bin = resolveBin(projectDir, 'jest', 'jest', 'jest');
    const argv = [process.execPath, bin, '--ci', '--coverage=false', '--runTestsByPath', file, `--reporters=${reporter()}`];
    if (testName !== undefined) argv.push('-t', nameFilter(testName));
    return {
      argv,
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
