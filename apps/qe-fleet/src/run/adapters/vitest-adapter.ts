import type { RunnerAdapter } from '../types';
import { NoTestFilesError } from '../run-errors';
import { captureStdout, nameFilter, relativeFiles, resolveBin } from './project-files';

/** vitest: files from `vitest list --filesOnly --json`, its own junit reporter, reruns through `-t`. */
export const vitestAdapter: RunnerAdapter = {
  name: 'vitest',
  async discover(projectDir) {
    const bin = resolveBin(projectDir, 'vitest', 'vitest', 'vitest');
    const listed = await captureStdout([process.execPath, bin, 'list', '--filesOnly', '--json'], projectDir);
    if (listed.code !== 0)
      throw new NoTestFilesError(projectDir, [`vitest (list exited ${listed.code}: ${listed.stderr.slice(-300)})`]);
    const entries = JSON.parse(listed.stdout.trim() || '[]') as Array<{ file: string }>;
    return relativeFiles(projectDir, [...new Set(entries.map((e) => e.file))]);
  },
  invocation(projectDir, file, junitPath, testName) {
    const bin = resolveBin(projectDir, 'vitest', 'vitest', 'vitest');
    const argv = [
      process.execPath,
      bin,
      'run',
      file,
      '--reporter=junit',
      `--outputFile=${junitPath}`,
      '--coverage.enabled=false',
    ];
    if (testName !== undefined) argv.push('-t', nameFilter(testName));
    return { argv, env: {} };
  },
};
