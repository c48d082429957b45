import path from 'node:path';
import { InvalidFlagError } from '../errors';
import type { CommandAdapterOptions } from './adapters/command-adapter';
import type { ExecutionRow, HistoryStore, LedgerTaskRow } from './history/history-types';
import { defaultHistoryPath, openHistoryStore } from './history/open-history';
import type { RunArgs } from './parse-run-args';
import { UnknownRunError } from './run-errors';
import { RunBook } from './run-book';
import { planRun, projectCommit } from './run-project';
import type { FileTask, RunnerName } from './types';

/** What a run keeps in the store so --resume can rebuild it. */
export interface StoredRunConfig {
  readonly projectDir: string;
  readonly runners: readonly string[];
  readonly command?: CommandAdapterOptions;
  readonly reruns: number;
  readonly files: number;
}

/** A run ready to dispatch: fresh, or resumed from the store's ledger. */
export interface RunSession {
  readonly runId: string;
  readonly projectDir: string;
  readonly commit: string;
  readonly config: StoredRunConfig;
  readonly book: RunBook;
  /** Rows booked before a resume (empty for a fresh run). */
  readonly priorRows: readonly ExecutionRow[];
  readonly resumed: boolean;
}

/** Opens the store the flags name (default the project's .agentlink/history.db), or none with --no-history. */
export async function openRunHistory(args: RunArgs): Promise<HistoryStore | undefined> {
  if (args.noHistory) {
    if (args.resume !== undefined) throw new InvalidFlagError('--no-history', '--resume needs the history store');
    return undefined;
  }
  if (args.history === undefined && args.projectDir === '')
    throw new InvalidFlagError('--history', '--resume without --project needs --history');
  return openHistoryStore(args.history ?? defaultHistoryPath(path.resolve(args.projectDir)));
}

const ledgerRow = (runId: string, task: FileTask, expectedMs: number): LedgerTaskRow => ({
  runId,
  taskId: task.taskId,
  task: JSON.stringify(task),
  expectedMs,
  booked: false,
});

/** Plans a new run and records it (with its file tasks) in the store. */
export async function freshSession(
  args: RunArgs,
  history: HistoryStore | undefined,
  command: CommandAdapterOptions | undefined,
): Promise<RunSession> {
  const plan = await planRun(
    args.projectDir,
    { runners: args.runners, command, files: args.files, serial: args.serial },
    history,
  );
  const config: StoredRunConfig = {
    projectDir: plan.projectDir,
    runners: plan.adapters.map((a) => a.name),
    command,
    reruns: args.reruns,
    files: plan.tasks.length,
  };
  const book = new RunBook();
  for (const { task, expectedMs } of plan.tasks) book.add(task, expectedMs);
  await history?.startRun(
    {
      runId: plan.runId,
      project: plan.projectDir,
      commit: plan.commit,
      startedAt: Date.now(),
      finishedAt: null,
      status: 'running',
      exitCode: null,
      config: JSON.stringify(config),
    },
    plan.tasks.map(({ task, expectedMs }) => ledgerRow(plan.runId, task, expectedMs)),
  );
  return {
    runId: plan.runId,
    projectDir: plan.projectDir,
    commit: plan.commit,
    config,
    book,
    priorRows: [],
    resumed: false,
  };
}

/** Rebuilds an interrupted run from the store: booked tasks stay booked, every other task is queued again. */
export async function resumeSession(runId: string, history: HistoryStore): Promise<RunSession> {
  const run = await history.getRun(runId);
  if (run === undefined) throw new UnknownRunError(runId, history.target);
  const config = JSON.parse(run.config) as StoredRunConfig;
  const book = new RunBook();
  for (const row of await history.ledger(runId)) {
    const task = JSON.parse(row.task) as FileTask;
    if (row.booked) book.restoreCompleted(task, row.expectedMs);
    else book.add(task, row.expectedMs);
  }
  const commit = projectCommit(config.projectDir);
  return {
    runId,
    projectDir: config.projectDir,
    commit: run.commit === commit ? commit : run.commit,
    config,
    book,
    priorRows: await history.listExecutions({ runId }),
    resumed: true,
  };
}

/** The runner names a session uses (for the summary). */
export function sessionRunners(session: RunSession): RunnerName[] {
  return session.config.runners as RunnerName[];
}

export { ledgerRow };
