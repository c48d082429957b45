import { createHash } from 'node:crypto';
import type { ExecutionRow, FlakyTestRow, HistoryStore, LedgerTaskRow, RunRow, RunStatus } from './history-types';
import type { SqlDriver, SqlRow } from './sql-driver';

/** sha256 of a failure message, first 16 hex digits: groups identical failures without storing them. */
export function messageDigest(message: string | undefined): string | null {
  return message === undefined ? null : createHash('sha256').update(message).digest('hex').slice(0, 16);
}

const num = (v: unknown): number => Number(v);
const opt = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toRun(r: SqlRow): RunRow {
  return {
    runId: String(r.run_id),
    project: String(r.project),
    commit: String(r.commit_sha),
    startedAt: num(r.started_at),
    finishedAt: opt(r.finished_at),
    status: String(r.status),
    exitCode: opt(r.exit_code),
    config: String(r.config),
  };
}

function toExecution(r: SqlRow): ExecutionRow {
  return {
    project: String(r.project),
    commit: String(r.commit_sha),
    runId: String(r.run_id),
    testId: String(r.test_id),
    file: String(r.file),
    attempt: num(r.attempt),
    agent: String(r.agent),
    outcome: String(r.outcome) as ExecutionRow['outcome'],
    durationMs: num(r.duration_ms),
    messageDigest: r.message_digest === null ? null : String(r.message_digest),
    message: r.message === null ? null : String(r.message),
    at: num(r.recorded_at),
  };
}

const INSERT_TASK = 'INSERT INTO ledger_tasks (run_id, task_id, task, expected_ms, booked) VALUES (?, ?, ?, ?, 0)';
const INSERT_EXECUTION =
  'INSERT INTO executions (run_id, task_id, seq, project, commit_sha, test_id, file, attempt, agent, outcome, ' +
  'duration_ms, message_digest, message, recorded_at) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** The history store on either database (see SqlDriver); the schema is migrated by openHistoryStore. */
export class SqlHistoryStore implements HistoryStore {
  readonly #db: SqlDriver;

  constructor(driver: SqlDriver) {
    this.#db = driver;
  }

  get target(): string {
    return this.#db.target;
  }

  async startRun(run: RunRow, tasks: readonly LedgerTaskRow[] = []): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.run(
        'INSERT INTO runs (run_id, project, commit_sha, started_at, finished_at, status, exit_code, config) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [run.runId, run.project, run.commit, run.startedAt, run.finishedAt, run.status, run.exitCode, run.config],
      );
      for (const t of tasks) await tx.run(INSERT_TASK, [t.runId, t.taskId, t.task, Math.round(t.expectedMs)]);
    });
  }

  async finishRun(runId: string, status: RunStatus, exitCode: number, finishedAt: number): Promise<void> {
    await this.#db.run('UPDATE runs SET status = ?, exit_code = ?, finished_at = ? WHERE run_id = ?', [
      status,
      exitCode,
      finishedAt,
      runId,
    ]);
  }

  async getRun(runId: string): Promise<RunRow | undefined> {
    const { rows } = await this.#db.run('SELECT * FROM runs WHERE run_id = ?', [runId]);
    return rows[0] === undefined ? undefined : toRun(rows[0]);
  }

  async addTask(row: LedgerTaskRow): Promise<void> {
    await this.#db.run(INSERT_TASK, [row.runId, row.taskId, row.task, Math.round(row.expectedMs)]);
  }

  async bookTask(
    runId: string,
    taskId: string,
    executions: readonly ExecutionRow[],
    followUps: readonly LedgerTaskRow[] = [],
  ): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const { changes } = await tx.run(
        'UPDATE ledger_tasks SET booked = 1 WHERE run_id = ? AND task_id = ? AND booked = 0',
        [runId, taskId],
      );
      if (changes !== 1) return false;
      for (const [seq, e] of executions.entries()) {
        await tx.run(INSERT_EXECUTION, [
          runId,
          taskId,
          seq,
          e.project,
          e.commit,
          e.testId,
          e.file,
          e.attempt,
          e.agent,
          e.outcome,
          Math.round(e.durationMs),
          e.messageDigest,
          e.message,
          e.at,
        ]);
      }
      for (const t of followUps) await tx.run(INSERT_TASK, [t.runId, t.taskId, t.task, Math.round(t.expectedMs)]);
      return true;
    });
  }

  async ledger(runId: string): Promise<LedgerTaskRow[]> {
    const { rows } = await this.#db.run('SELECT * FROM ledger_tasks WHERE run_id = ? ORDER BY task_id', [runId]);
    return rows.map((r) => ({
      runId: String(r.run_id),
      taskId: String(r.task_id),
      task: String(r.task),
      expectedMs: num(r.expected_ms),
      booked: num(r.booked) === 1,
    }));
  }

  async listExecutions(
    filter: { project?: string; testId?: string; runId?: string; limit?: number } = {},
  ): Promise<ExecutionRow[]> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    for (const [column, value] of [
      ['run_id', filter.runId],
      ['project', filter.project],
      ['test_id', filter.testId],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    // The newest `limit`, returned oldest first.
    const sql =
      `SELECT * FROM (SELECT * FROM executions ${clause} ` +
      'ORDER BY recorded_at DESC, run_id DESC, task_id DESC, seq DESC LIMIT ?) recent ' +
      'ORDER BY recorded_at, run_id, task_id, seq';
    const { rows } = await this.#db.run(sql, [...params, filter.limit ?? 1_000_000]);
    return rows.map(toExecution);
  }

  async fileDurations(project: string): Promise<Map<string, number>> {
    const { rows } = await this.#db.run(
      'SELECT file, AVG(total) AS mean_ms FROM (SELECT run_id, file, SUM(duration_ms) AS total FROM executions ' +
        'WHERE project = ? AND attempt = 1 GROUP BY run_id, file) per_run GROUP BY file',
      [project],
    );
    return new Map(rows.map((r) => [String(r.file), num(r.mean_ms)]));
  }

  async listRuns(limit = 20): Promise<RunRow[]> {
    const { rows } = await this.#db.run('SELECT * FROM runs ORDER BY started_at DESC LIMIT ?', [limit]);
    return rows.map(toRun);
  }

  async flakiest(limit = 10): Promise<FlakyTestRow[]> {
    const { rows } = await this.#db.run(
      'SELECT test_id, COUNT(*) AS runs, SUM(flaky) AS flaky_runs, SUM(fails) AS failures, ' +
        'SUM(execs) AS executions FROM (' +
        "SELECT test_id, run_id, COUNT(*) AS execs, SUM(CASE WHEN outcome = 'failed' THEN 1 ELSE 0 END) AS fails, " +
        "CASE WHEN SUM(CASE WHEN outcome = 'failed' THEN 1 ELSE 0 END) > 0 " +
        "AND SUM(CASE WHEN outcome = 'passed' THEN 1 ELSE 0 END) > 0 " +
        'THEN 1 ELSE 0 END AS flaky FROM executions GROUP BY test_id, run_id) per_run ' +
        'GROUP BY test_id HAVING SUM(flaky) > 0 ORDER BY SUM(flaky) DESC, test_id LIMIT ?',
      [limit],
    );
    return rows.map((r) => ({
      testId: String(r.test_id),
      runs: num(r.runs),
      flakyRuns: num(r.flaky_runs),
      failures: num(r.failures),
      executions: num(r.executions),
    }));
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}
