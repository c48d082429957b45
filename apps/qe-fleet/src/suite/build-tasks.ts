import path from 'node:path';
import type { TaskSpec } from '../messaging/protocol';
import { planReplayTiming } from './replay';
import type { SuiteTest } from './types';

export interface ReplayTaskOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly parallelism: number;
}

/** One replay task per suite test, ids t0001…, with timing scaled to the duration. */
export function buildReplayTasks(suite: readonly SuiteTest[], options: ReplayTaskOptions): Map<string, TaskSpec> {
  const timing = planReplayTiming(suite, { durationMs: options.durationMs, parallelism: options.parallelism });
  const width = String(suite.length).length;
  return new Map(
    suite.map((test, i) => [
      `t${String(i + 1).padStart(width, '0')}`,
      { kind: 'replay', test, timing, seed: options.seed } as TaskSpec,
    ]),
  );
}

export interface CommandTaskOptions {
  /** Node binary that runs jest (Node 24). */
  readonly nodePath: string;
  readonly repoRoot: string;
  /** Deadline of one command, in ms. */
  readonly timeoutMs: number;
}

/** One command task per jest test file: `node --experimental-vm-modules jest <file>` in its package. */
export function buildJestTasks(
  files: ReadonlyArray<{ packageDir: string; file: string }>,
  options: CommandTaskOptions,
): Map<string, TaskSpec> {
  const jest = path.join(options.repoRoot, 'node_modules', 'jest', 'bin', 'jest.js');
  const width = String(files.length).length;
  return new Map(
    files.map(({ packageDir, file }, i) => {
      const id = `${path.basename(packageDir)}/${file}`;
      const command = [
        options.nodePath,
        '--experimental-vm-modules',
        jest,
        '--coverage=false',
        '--runTestsByPath',
        file,
      ];
      return [
        `j${String(i + 1).padStart(width, '0')}`,
        { kind: 'command', test: { id, command, cwd: packageDir }, timeoutMs: options.timeoutMs } as TaskSpec,
      ];
    }),
  );
}
