import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { chooseAdapters, type RunnerChoice } from './adapters/detect-runners';
import type { HistoryStore } from './history/history-types';
import { ProjectNotFoundError, NoTestFilesError } from './run-errors';
import { isSerialFile, serialGlobs } from './serial-files';
import type { FileTask, RunnerAdapter } from './types';

export interface PlannedRun {
  readonly runId: string;
  readonly projectDir: string;
  readonly commit: string;
  readonly adapters: readonly RunnerAdapter[];
  /** The first-attempt file tasks with their expected durations, longest first (see RunBook for serial ones). */
  readonly tasks: ReadonlyArray<{ task: FileTask; expectedMs: number }>;
}

/** The commit the project is at (`git rev-parse HEAD`), or "unknown" outside git. */
export function projectCommit(projectDir: string): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: projectDir, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

export function newRunId(now = new Date()): string {
  return `run-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
}

/** Finds the runners and their files; orders the files longest recorded first. */
export async function planRun(
  projectDir: string,
  choice: RunnerChoice & { files?: readonly string[]; serial?: readonly string[] },
  history?: HistoryStore,
  runId = newRunId(),
): Promise<PlannedRun> {
  const dir = path.resolve(projectDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ProjectNotFoundError(dir, 'not a directory');
  const adapters = chooseAdapters(dir, choice);
  const serial = serialGlobs(dir, choice.serial);
  const durations = history === undefined ? new Map<string, number>() : await history.fileDurations(dir);
  const seen = new Set<string>();
  const tasks: Array<{ task: FileTask; expectedMs: number }> = [];
  for (const adapter of adapters) {
    for (const file of await adapter.discover(dir)) {
      // A file two runners both claim runs once, under the first.
      if (seen.has(file)) continue;
      if (
        choice.command === undefined &&
        choice.files !== undefined &&
        !choice.files.some((g) => path.matchesGlob(file, g))
      )
        continue;
      seen.add(file);
      const task: FileTask = { taskId: `${file}@1`, runner: adapter.name, file, attempt: 1 };
      tasks.push({
        task: isSerialFile(file, serial) ? { ...task, serial: true } : task,
        expectedMs: durations.get(file) ?? 0,
      });
    }
  }
  if (tasks.length === 0)
    throw new NoTestFilesError(
      dir,
      adapters.map((a) => a.name),
    );
  tasks.sort((a, b) => b.expectedMs - a.expectedMs || a.task.file.localeCompare(b.task.file));
  return { runId, projectDir: dir, commit: projectCommit(dir), adapters, tasks };
}
