/**
 * Features of a test's CI verdict history at a point in time, computed from EARLIER runs only:
 * recent outcomes, failure and flip rates, streaks, duration statistics and time since the last
 * failure. `VerdictHistory` keeps the running state per test (what a history store replays);
 * `featurizeVerdicts` turns a whole log into one feature row per verdict.
 */

/** One verdict of one test in one CI run (cycle). */
export interface VerdictRecord {
  readonly test: string;
  /** Run or cycle identifier: verdicts of the same run never see each other. */
  readonly run: string;
  /** Time of the run (any increasing number: epoch ms, run number). */
  readonly time: number;
  readonly failed: boolean;
  /** Duration of the test in this run, if known. */
  readonly duration?: number;
}

/** Names of the features, in row order. Missing history is -1 (no earlier run) so trees can split on it. */
export const VERDICT_FEATURES = [
  'verdict:runs',
  'verdict:lastFailed',
  'verdict:last2Failed',
  'verdict:last3Failed',
  'verdict:failRate',
  'verdict:recentFailRate',
  'verdict:flipRate',
  'verdict:streak',
  'verdict:durationMean',
  'verdict:durationStd',
  'verdict:timeSinceLastFailure',
  'verdict:timeSinceLastRun',
] as const;

/** Runs counted by `verdict:recentFailRate`. */
export const RECENT_WINDOW = 5;

interface TestState {
  runs: number;
  fails: number;
  flips: number;
  /** Latest outcomes first (1 failed, 0 passed), at most RECENT_WINDOW. */
  recent: number[];
  /** Signed length of the current streak: +n failures or -n passes in a row. */
  streak: number;
  durations: number;
  durationSum: number;
  durationSquares: number;
  lastFailureTime: number | undefined;
  lastRunTime: number | undefined;
}

const newState = (): TestState => ({
  runs: 0,
  fails: 0,
  flips: 0,
  recent: [],
  streak: 0,
  durations: 0,
  durationSum: 0,
  durationSquares: 0,
  lastFailureTime: undefined,
  lastRunTime: undefined,
});

/** Running verdict history of many tests; `features` answers for a time after everything observed. */
export class VerdictHistory {
  private readonly tests = new Map<string, TestState>();

  /** Records one verdict (call in time order; a run's verdicts after asking for that run's features). */
  observe(record: VerdictRecord): void {
    let state = this.tests.get(record.test);
    if (state === undefined) {
      state = newState();
      this.tests.set(record.test, state);
    }
    const outcome = record.failed ? 1 : 0;
    if (state.runs > 0 && state.recent[0] !== outcome) state.flips++;
    state.streak =
      state.runs > 0 && state.recent[0] === outcome ? state.streak + (outcome === 1 ? 1 : -1) : outcome === 1 ? 1 : -1;
    state.runs++;
    state.fails += outcome;
    state.recent.unshift(outcome);
    if (state.recent.length > RECENT_WINDOW) state.recent.pop();
    if (record.duration !== undefined && Number.isFinite(record.duration)) {
      state.durations++;
      state.durationSum += record.duration;
      state.durationSquares += record.duration * record.duration;
    }
    if (record.failed) state.lastFailureTime = record.time;
    state.lastRunTime = record.time;
  }

  /** Feature row (VERDICT_FEATURES order) of `test` at `time`, from the verdicts observed so far. */
  features(test: string, time: number): number[] {
    const s = this.tests.get(test);
    if (s === undefined || s.runs === 0) return [0, -1, -1, -1, -1, -1, -1, 0, -1, -1, -1, -1];
    const mean = s.durations === 0 ? -1 : s.durationSum / s.durations;
    const variance = s.durations === 0 ? -1 : Math.max(s.durationSquares / s.durations - mean * mean, 0);
    return [
      s.runs,
      s.recent[0],
      s.recent[1] ?? -1,
      s.recent[2] ?? -1,
      s.fails / s.runs,
      s.recent.reduce((sum, v) => sum + v, 0) / s.recent.length,
      s.runs < 2 ? 0 : s.flips / (s.runs - 1),
      s.streak,
      mean,
      variance < 0 ? -1 : Math.sqrt(variance),
      s.lastFailureTime === undefined ? -1 : time - s.lastFailureTime,
      time - s.lastRunTime!,
    ];
  }
}

/**
 * One feature row per verdict (in the input's order), each from the runs strictly before its
 * own: verdicts are replayed by time, and every verdict of a run is featurised before any of them
 * is observed, so neither the row's own outcome nor its run's other outcomes leak in.
 */
export function featurizeVerdicts(records: readonly VerdictRecord[]): number[][] {
  const order = records
    .map((_, i) => i)
    .sort(
      (a, b) =>
        records[a].time - records[b].time ||
        (records[a].run < records[b].run ? -1 : records[a].run > records[b].run ? 1 : 0),
    );
  const history = new VerdictHistory();
  const rows: number[][] = new Array(records.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    const { run, time } = records[order[start]];
    while (end + 1 < order.length && records[order[end + 1]].run === run && records[order[end + 1]].time === time)
      end++;
    for (let k = start; k <= end; k++) rows[order[k]] = history.features(records[order[k]].test, time);
    for (let k = start; k <= end; k++) history.observe(records[order[k]]);
    start = end + 1;
  }
  return rows;
}
