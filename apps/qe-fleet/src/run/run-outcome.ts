import type { TestVerdict } from './verdicts';

/** A quarantine file: tests whose failures do not fail the build, and why. */
export interface QuarantineFile {
  readonly version: 1;
  readonly tests: ReadonlyArray<{
    readonly id: string;
    readonly reason: string;
    readonly since: string;
    readonly runId: string;
  }>;
}

export interface RunOutcome {
  readonly counts: Readonly<Record<'passed' | 'failed' | 'flaky' | 'skipped', number>>;
  /** Failed tests that fail the build (not known, not quarantined). */
  readonly realFailures: readonly TestVerdict[];
  /** Failed tests listed in --known-failures: reported, not counted. */
  readonly knownFailures: readonly TestVerdict[];
  /** Failed tests quarantined by earlier runs: reported, not counted (unless --strict). */
  readonly quarantinedFailures: readonly TestVerdict[];
  readonly flaky: readonly TestVerdict[];
  /** The quarantine after this run: earlier entries plus this run's flaky tests. */
  readonly quarantine: QuarantineFile;
  readonly exitCode: 0 | 1;
}

export interface OutcomeOptions {
  readonly runId: string;
  readonly previousQuarantine?: QuarantineFile;
  readonly knownFailures?: ReadonlySet<string>;
  /** Flaky and quarantined failures fail the build too. */
  readonly strict?: boolean;
  readonly now?: Date;
}

/** Decides the run like a test runner: 1 on a real failure, 0 when only flaky or quarantined tests failed. */
export function decideOutcome(verdicts: readonly TestVerdict[], options: OutcomeOptions): RunOutcome {
  const previous = options.previousQuarantine?.tests ?? [];
  const quarantined = new Set(previous.map((t) => t.id));
  const known = options.knownFailures ?? new Set<string>();
  const counts = { passed: 0, failed: 0, flaky: 0, skipped: 0 };
  for (const v of verdicts) counts[v.verdict] += 1;
  const failed = verdicts.filter((v) => v.verdict === 'failed');
  const flaky = verdicts.filter((v) => v.verdict === 'flaky');
  const knownFailures = failed.filter((v) => known.has(v.id));
  const quarantinedFailures = failed.filter((v) => !known.has(v.id) && quarantined.has(v.id));
  const realFailures = failed.filter((v) => !known.has(v.id) && !quarantined.has(v.id));
  const since = (options.now ?? new Date()).toISOString();
  const added = flaky
    .filter((v) => !quarantined.has(v.id))
    .map((v) => ({
      id: v.id,
      reason: `flaky: failed then passed (${v.attempts.map((a) => a.outcome).join(', ')})`,
      since,
      runId: options.runId,
    }));
  const strictFail = options.strict === true && (flaky.length > 0 || quarantinedFailures.length > 0);
  return {
    counts,
    realFailures,
    knownFailures,
    quarantinedFailures,
    flaky,
    quarantine: { version: 1, tests: [...previous, ...added].sort((a, b) => a.id.localeCompare(b.id)) },
    exitCode: realFailures.length > 0 || strictFail ? 1 : 0,
  };
}
