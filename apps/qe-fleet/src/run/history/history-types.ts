/** One execution of one test case, as the history store keeps it. */
export interface ExecutionRow {
  readonly project: string;
  readonly commit: string;
  readonly runId: string;
  readonly testId: string;
  readonly file: string;
  readonly attempt: number;
  readonly agent: string;
  readonly outcome: 'passed' | 'failed' | 'skipped';
  readonly durationMs: number;
  /** sha256 (first 16 hex) of the failure message; null when it passed. */
  readonly messageDigest: string | null;
  /** First line of the failure message (at most 500 characters); null when it passed. */
  readonly message: string | null;
  /** When it was recorded, ms since the epoch. */
  readonly at: number;
}

/** How a run ended (`running` while it goes or after a crash). */
export type RunStatus = 'passed' | 'failed' | 'interrupted';

export interface RunRow {
  readonly runId: string;
  readonly project: string;
  readonly commit: string;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  /** running, passed, failed, or interrupted (by SIGINT/SIGTERM; resumable). */
  readonly status: string;
  readonly exitCode: number | null;
  /** The run's options (JSON), so --resume can rebuild it. */
  readonly config: string;
}

/** A task of a run's durable ledger. */
export interface LedgerTaskRow {
  readonly runId: string;
  readonly taskId: string;
  /** The FileTask, JSON. */
  readonly task: string;
  readonly expectedMs: number;
  /** Booked: its executions are recorded in the same transaction. */
  readonly booked: boolean;
}

export interface FlakyTestRow {
  readonly testId: string;
  readonly runs: number;
  /** Runs in which it failed then passed. */
  readonly flakyRuns: number;
  readonly failures: number;
  readonly executions: number;
}

/**
 * Where every execution goes: node:sqlite by default, PostgreSQL for fleets on many hosts. One
 * schema (see schema.ts) for both. Writes of one booked task are one transaction: its executions
 * and its ledger row land together or not at all.
 */
export interface HistoryStore {
  /** What it is connected to (a file path, or the PostgreSQL URL without password). */
  readonly target: string;
  /** Records a new run and its first tasks, in one transaction. */
  startRun(run: RunRow, tasks?: readonly LedgerTaskRow[]): Promise<void>;
  finishRun(runId: string, status: RunStatus, exitCode: number, finishedAt: number): Promise<void>;
  getRun(runId: string): Promise<RunRow | undefined>;
  /** Adds a task to the run's ledger (not booked). */
  addTask(row: LedgerTaskRow): Promise<void>;
  /**
   * Books a task, records its executions and adds the tasks it calls for (reruns), in one
   * transaction. False (and nothing written) if it was booked already.
   */
  bookTask(
    runId: string,
    taskId: string,
    executions: readonly ExecutionRow[],
    followUps?: readonly LedgerTaskRow[],
  ): Promise<boolean>;
  ledger(runId: string): Promise<LedgerTaskRow[]>;
  /** Executions, oldest first; filter by project and/or test id. The featurizer's read API. */
  listExecutions(filter?: {
    project?: string;
    testId?: string;
    runId?: string;
    limit?: number;
  }): Promise<ExecutionRow[]>;
  /** Mean recorded duration per file of a project (whole-file runs only), in ms. */
  fileDurations(project: string): Promise<Map<string, number>>;
  listRuns(limit?: number): Promise<RunRow[]>;
  flakiest(limit?: number): Promise<FlakyTestRow[]>;
  close(): Promise<void>;
}
