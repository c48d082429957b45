import type { Accounting } from '../ledger/task-ledger';
import type { ForecastScore } from './history-forecast';
import type { RunOutcome } from './run-outcome';
import type { TestVerdict } from './verdicts';

export interface RunSummaryInput {
  readonly runId: string;
  readonly projectDir: string;
  readonly commit: string;
  readonly runners: readonly string[];
  readonly files: number;
  readonly executors: number;
  readonly transport: string;
  readonly wallMs: number;
  readonly accounting: Accounting;
  readonly outcome: RunOutcome;
  readonly outputs: Readonly<Record<string, string>>;
  readonly strict: boolean;
  /** The history's forecast of first-attempt failures and how it did (absent without enough history). */
  readonly forecast?: RunForecastSummary;
}

export interface RunForecastSummary {
  /** Earlier runs it learnt from. */
  readonly runs: number;
  readonly threshold: number;
  /** Tests forecast to fail their first attempt, most likely first. */
  readonly likelyFailures: readonly string[];
  readonly score: ForecastScore;
}

const fixed = (x: number): string => x.toFixed(3);

function forecastLine(f: RunForecastSummary): string {
  return (
    `history forecast (from ${f.runs} earlier runs): ${f.score.forecastFailures} of ${f.score.tests} tests ` +
    `forecast to fail first time, ${f.score.actualFailures} did; accuracy ${fixed(f.score.accuracy)} ` +
    `(always the majority ${fixed(f.score.majorityAccuracy)}, repeat the last outcome ` +
    `${fixed(f.score.lastOutcomeAccuracy)})`
  );
}

const line = (v: TestVerdict): string => {
  const last = v.attempts.find((a) => a.message !== undefined);
  const outcomes = v.attempts.map((a) => a.outcome[0]).join('');
  return `  - ${v.id} [${outcomes}]${last?.message ? `: ${last.message.slice(0, 140)}` : ''}`;
};

/** The printed summary of a test run. */
export function formatRunSummary(s: RunSummaryInput): string {
  const { counts } = s.outcome;
  const a = s.accounting;
  const out = [
    `qe-fleet run ${s.runId}  project ${s.projectDir}  commit ${s.commit.slice(0, 12)}`,
    `runners ${s.runners.join(', ')}; ${s.files} files on ${s.executors} executors over ${s.transport}; ` +
      `wall ${(s.wallMs / 1000).toFixed(1)} s`,
    `tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.flaky} flaky, ${counts.skipped} skipped`,
    `tasks: ${a.tasks} (files and reruns), completed once ${a.completedOnce}, lost ${a.lost}, phantom ${a.phantom}, ` +
      `unknown outcome ${a.unknownOutcome}, duplicates ${a.duplicates}`,
  ];
  if (s.forecast !== undefined) out.push(forecastLine(s.forecast));
  if (s.outcome.flaky.length > 0)
    out.push(`flaky (quarantined; attempts p=passed f=failed):`, ...s.outcome.flaky.map(line));
  if (s.outcome.knownFailures.length > 0)
    out.push('known failures (--known-failures, not counted):', ...s.outcome.knownFailures.map(line));
  if (s.outcome.quarantinedFailures.length > 0)
    out.push('failed, quarantined by an earlier run:', ...s.outcome.quarantinedFailures.map(line));
  if (s.outcome.realFailures.length > 0) out.push('FAILED:', ...s.outcome.realFailures.map(line));
  for (const [what, where] of Object.entries(s.outputs)) out.push(`${what}: ${where}`);
  const verdict = s.outcome.exitCode === 0 ? 'PASS' : 'FAIL';
  const why =
    s.outcome.realFailures.length > 0
      ? `${s.outcome.realFailures.length} real failure(s)`
      : s.outcome.exitCode === 1
        ? '--strict: flaky or quarantined failures'
        : 'no real failures';
  out.push(`${verdict} (${why})`);
  return out.join('\n');
}
