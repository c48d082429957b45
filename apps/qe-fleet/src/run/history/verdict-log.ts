import type { VerdictRecord } from '@agentlink/learning';
import { FILE_CASE } from '../rerun-policy';
import type { ExecutionRow } from './history-types';

/**
 * The store's executions as a CI verdict log (what @agentlink/learning's history featurizer
 * reads): one verdict per test per run, its FIRST attempt (what a CI without reruns would have
 * seen, so a flaky test's failures stay visible), at the time the run started, so all of a run's
 * verdicts share one time and none sees another. Skipped cases and the file-level pseudo-case of
 * a crashed runner are left out. Oldest run first.
 */
export function verdictLog(rows: readonly ExecutionRow[]): VerdictRecord[] {
  const runStart = new Map<string, number>();
  for (const row of rows) runStart.set(row.runId, Math.min(runStart.get(row.runId) ?? row.at, row.at));
  const records: VerdictRecord[] = [];
  for (const row of rows) {
    if (row.attempt !== 1 || row.outcome === 'skipped' || row.testId.endsWith(` > ${FILE_CASE}`)) continue;
    records.push({
      test: row.testId,
      run: row.runId,
      time: runStart.get(row.runId)!,
      failed: row.outcome === 'failed',
      duration: row.durationMs,
    });
  }
  return records.sort((a, b) => a.time - b.time || a.run.localeCompare(b.run) || a.test.localeCompare(b.test));
}

const quote = (value: string): string => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** Header of the verdict CSV (`agentlink-learn history --test test --run run --time time --outcome outcome`). */
export const VERDICT_CSV_COLUMNS = ['test', 'run', 'time', 'outcome', 'duration'] as const;

/** The verdict log as CSV: test, run, time (ms since the epoch), outcome (passed/failed), duration (ms). */
export function verdictCsv(records: readonly VerdictRecord[]): string {
  const lines = records.map((r) =>
    [quote(r.test), quote(r.run), r.time, r.failed ? 'failed' : 'passed', r.duration ?? ''].join(','),
  );
  return `${[VERDICT_CSV_COLUMNS.join(','), ...lines].join('\n')}\n`;
}
