import {
  VerdictHistory,
  featurizeVerdicts,
  trainGbdt,
  tuneThreshold,
  type Label,
  type VerdictRecord,
} from '@agentlink/learning';

/** What the history says about this run before it starts. */
export interface HistoryForecast {
  /** Earlier runs it learnt from. */
  readonly runs: number;
  /** Probability from which a test is forecast to fail (tuned for accuracy on the latest earlier runs). */
  readonly threshold: number;
  /** The majority outcome of the earlier verdicts: what "always the majority" forecasts. */
  readonly majorityFailed: boolean;
  /** Per test id: the probability its first attempt fails, and its last outcome. */
  readonly tests: ReadonlyMap<string, { readonly probability: number; readonly lastFailed: boolean }>;
}

/** How the forecast did on the run's first attempts, beside the two baselines it must beat. */
export interface ForecastScore {
  readonly tests: number;
  readonly accuracy: number;
  readonly majorityAccuracy: number;
  /** "Repeat the last outcome" (the majority for a test without history). */
  readonly lastOutcomeAccuracy: number;
  readonly forecastFailures: number;
  readonly actualFailures: number;
}

/** Fewest earlier runs a forecast is made from: two to learn from, one to tune on. */
export const MIN_FORECAST_RUNS = 3;
/** Only the latest runs' verdicts are training rows (every run still counts in the features). */
const TRAINING_RUNS = 30;

/**
 * Forecasts which tests fail their first attempt in the next run, from the project's verdict log
 * (see verdictLog): @agentlink/learning's history features (last outcomes, failure and flip rates,
 * streaks, durations, time since the last failure; each row from earlier runs only) and boosted
 * trees trained on them, with a time-ordered split: the latest quarter of the runs is validation
 * (early stopping, and the threshold that maximises accuracy). Undefined with too little history
 * or only one outcome in it.
 */
export async function forecastFromHistory(
  records: readonly VerdictRecord[],
  now: number,
): Promise<HistoryForecast | undefined> {
  const runTimes = new Map<string, number>();
  for (const r of records) runTimes.set(r.run, r.time);
  const runs = [...runTimes.keys()].sort((a, b) => runTimes.get(a)! - runTimes.get(b)! || a.localeCompare(b));
  if (runs.length < MIN_FORECAST_RUNS) return undefined;
  const recent = runs.slice(-TRAINING_RUNS);
  const validation = new Set(recent.slice(-Math.max(1, Math.floor(recent.length / 4))));
  const training = new Set(recent.filter((run) => !validation.has(run)));
  const rows = featurizeVerdicts(records);
  const part = (runsOf: Set<string>) => {
    const at = records.flatMap((r, i) => (runsOf.has(r.run) ? [i] : []));
    return { rows: at.map((i) => rows[i]!), labels: at.map((i): Label => (records[i]!.failed ? 1 : 0)) };
  };
  const train = part(training);
  const check = part(validation);
  const failures = records.filter((r) => r.failed).length;
  if (new Set(train.labels).size < 2) return undefined;
  // Small trees, few rounds: a project's history is hundreds of rows, not the FlakeFlagger set.
  const options = { maxIterations: 100, earlyStoppingRounds: 20, maxBins: 64, minSamplesLeaf: 5, seed: 42 };
  const fit = await trainGbdt(train, check, options);
  const { threshold } = tuneThreshold(check.labels, fit.model.probabilities(check.rows), 'accuracy');
  const history = new VerdictHistory();
  const lastFailed = new Map<string, boolean>();
  for (const r of [...records].sort((a, b) => a.time - b.time)) {
    history.observe(r);
    lastFailed.set(r.test, r.failed);
  }
  const tests = new Map<string, { probability: number; lastFailed: boolean }>();
  for (const [test, failed] of lastFailed)
    tests.set(test, { probability: fit.model.probability(history.features(test, now)), lastFailed: failed });
  return { runs: runs.length, threshold, majorityFailed: failures * 2 > records.length, tests };
}

/** Tests forecast to fail, most likely first. */
export function forecastFailures(forecast: HistoryForecast): string[] {
  return [...forecast.tests]
    .filter(([, t]) => t.probability >= forecast.threshold)
    .sort((a, b) => b[1].probability - a[1].probability || a[0].localeCompare(b[0]))
    .map(([test]) => test);
}

/** Scores the forecast on the run's own first-attempt verdicts. */
export function scoreForecast(forecast: HistoryForecast, actual: readonly VerdictRecord[]): ForecastScore {
  let right = 0;
  let majority = 0;
  let last = 0;
  let forecastFailuresCount = 0;
  for (const verdict of actual) {
    const known = forecast.tests.get(verdict.test);
    const predicted = known === undefined ? forecast.majorityFailed : known.probability >= forecast.threshold;
    if (predicted) forecastFailuresCount += 1;
    if (predicted === verdict.failed) right += 1;
    if (forecast.majorityFailed === verdict.failed) majority += 1;
    if ((known?.lastFailed ?? forecast.majorityFailed) === verdict.failed) last += 1;
  }
  const n = actual.length;
  const share = (k: number): number => (n === 0 ? Number.NaN : k / n);
  return {
    tests: n,
    accuracy: share(right),
    majorityAccuracy: share(majority),
    lastOutcomeAccuracy: share(last),
    forecastFailures: forecastFailuresCount,
    actualFailures: actual.filter((v) => v.failed).length,
  };
}
