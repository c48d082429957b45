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
  readonly runner: string;
  readonly verdict: Verdict;
  readonly attempts: readonly Attempt[];
}

/** The case results of one booked execution (a crashed file counts as its pseudo-case failing). */
export function casesOf(task: FileTask, execution: FileExecution): Array<{ name: string; attempt: Attempt }> {
  const base = { attempt: task.attempt, executor: execution.executor };
  if (execution.error !== undefined) {
    const message = `${execution.error.code}: ${execution.error.message}`;
    return [{ name: task.testName ?? FILE_CASE, attempt: { ...base, outcome: 'failed', durationMs: Math.round(execution.durationMs), message } }];
  }
  const found = execution.cases.map((c) => ({ name: c.name, attempt: { ...base, outcome: c.outcome, durationMs: c.durationMs, message: c.message } }));
  // A file that crashed before and ran now: its pseudo-case passed on this attempt.
  if (task.testName === undefined && task.attempt > 1) found.push({ name: FILE_CASE, attempt: { ...base, outcome: 'passed', durationMs: 0, message: undefined } });
  if (task.testName !== undefined && !execution.cases.some((c) => c.name === task.testName)) {
    found.push({ name: task.testName, attempt: { ...base, outcome: 'failed', durationMs: 0, message: 'the rerun did not report this test case' } });
  }
  return found;
}

function judge(attempts: readonly Attempt[]): Verdict {
  const ran = attempts.filter((a) => a.outcome !== 'skipped');
  if (ran.length === 0) return 'skipped';
  if (ran.every((a) => a.outcome === 'passed')) return 'passed';
  // Failed, then passed on the same commit: flaky. Never passed: a real failure.
  return ran.some((a) => a.outcome === 'passed') ? 'flaky' : 'failed';
}

/** Verdicts per test case from every booked execution of the run, sorted by file and name. */
export function buildVerdicts(executions: ReadonlyArray<{ task: FileTask; execution: FileExecution }>): TestVerdict[] {
  const byId = new Map<string, { file: string; name: string; runner: string; attempts: Attempt[] }>();
  for (const { task, execution } of executions) {
    for (const { name, attempt } of casesOf(task, execution)) {
      const id = testId(task.file, name);
      let entry = byId.get(id);
      if (entry === undefined) {
        entry = { file: task.file, name, runner: task.runner, attempts: [] };
        byId.set(id, entry);
      }
      entry.attempts.push(attempt);
    }
  }
  return [...byId.entries()]
    .map(([id, e]) => ({ id, file: e.file, name: e.name, runner: e.runner, attempts: e.attempts.sort((a, b) => a.attempt - b.attempt), verdict: judge(e.attempts) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
