import { messageDigest } from './history/sql-history-store';
import type { ExecutionRow } from './history/history-types';
import { FILE_CASE, testId } from './rerun-policy';
import type { CaseOutcome, FileExecution, FileTask } from './types';

/** The run's verdict on one test case across its attempts. */
export type Verdict = 'passed' | 'failed' | 'flaky' | 'skipped';

export interface Attempt {
  readonly attempt: number;
  readonly outcome: CaseOutcome;
  readonly executor: string;
  readonly durationMs: number;
  readonly message?: string;
}

export interface TestVerdict {
  readonly id: string;
  readonly file: string;
  readonly name: string;
  readonly verdict: Verdict;
  readonly attempts: readonly Attempt[];
}

/** Where a run's rows belong. */
export interface RunContext {
  readonly project: string;
  readonly commit: string;
  readonly runId: string;
}

function casesOf(
  task: FileTask,
  execution: FileExecution,
): Array<{ name: string; outcome: CaseOutcome; durationMs: number; message?: string }> {
  if (execution.error !== undefined) {
    const message = `${execution.error.code}: ${execution.error.message}`;
    return [
      { name: task.testName ?? FILE_CASE, outcome: 'failed', durationMs: Math.round(execution.durationMs), message },
    ];
  }
  const found = execution.cases.map((c) => ({
    name: c.name,
    outcome: c.outcome,
    durationMs: c.durationMs,
    message: c.message,
  }));
  // A file that crashed before and ran now: its pseudo-case passed on this attempt.
  if (task.testName === undefined && task.attempt > 1)
    found.push({ name: FILE_CASE, outcome: 'passed', durationMs: 0, message: undefined });
  if (task.testName !== undefined && !execution.cases.some((c) => c.name === task.testName)) {
    found.push({
      name: task.testName,
      outcome: 'failed',
      durationMs: 0,
      message: 'the rerun did not report this test case',
    });
  }
  return found;
}

/** The history rows of one booked execution: one per case (a crashed file: its pseudo-case failing). */
export function executionRows(
  task: FileTask,
  execution: FileExecution,
  run: RunContext,
  at = Date.now(),
): ExecutionRow[] {
  return casesOf(task, execution).map((c) => ({
    project: run.project,
    commit: run.commit,
    runId: run.runId,
    testId: testId(task.file, c.name),
    file: task.file,
    attempt: task.attempt,
    agent: execution.executor,
    outcome: c.outcome,
    durationMs: c.durationMs,
    messageDigest: c.outcome === 'failed' ? messageDigest(c.message ?? '') : null,
    message: c.outcome === 'failed' ? (c.message ?? '').slice(0, 500) : null,
    at,
  }));
}

function judge(attempts: readonly Attempt[]): Verdict {
  const ran = attempts.filter((a) => a.outcome !== 'skipped');
  if (ran.length === 0) return 'skipped';
  if (ran.every((a) => a.outcome === 'passed')) return 'passed';
  // Failed, then passed on the same commit: flaky. Never passed: a real failure.
  return ran.some((a) => a.outcome === 'passed') ? 'flaky' : 'failed';
}

/** Verdicts per test case from a run's execution rows, sorted by test id. */
export function verdictsFromRows(rows: readonly ExecutionRow[]): TestVerdict[] {
  const byId = new Map<string, { file: string; attempts: Attempt[] }>();
  for (const row of rows) {
    let entry = byId.get(row.testId);
    if (entry === undefined) {
      entry = { file: row.file, attempts: [] };
      byId.set(row.testId, entry);
    }
    const message = row.message ?? undefined;
    entry.attempts.push({
      attempt: row.attempt,
      outcome: row.outcome,
      executor: row.agent,
      durationMs: row.durationMs,
      ...(message === undefined ? {} : { message }),
    });
  }
  return [...byId.entries()]
    .map(([id, e]) => ({
      id,
      file: e.file,
      name: id.slice(e.file.length + 3),
      attempts: e.attempts.sort((a, b) => a.attempt - b.attempt),
      verdict: judge(e.attempts),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Verdicts from booked executions (no history store needed). */
export function buildVerdicts(executions: ReadonlyArray<{ task: FileTask; execution: FileExecution }>): TestVerdict[] {
  const run = { project: '', commit: '', runId: '' };
  return verdictsFromRows(executions.flatMap(({ task, execution }) => executionRows(task, execution, run, 0)));
}
