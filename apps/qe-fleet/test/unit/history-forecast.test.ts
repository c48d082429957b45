import { describe, expect, it } from '@jest/globals';
import { mulberry32, verdictsFromCsv, type VerdictRecord } from '@agentlink/learning';
import type { ExecutionRow } from '../../src/run/history/history-types';
import { verdictCsv, verdictLog } from '../../src/run/history/verdict-log';
import {
  MIN_FORECAST_RUNS,
  forecastFailures,
  forecastFromHistory,
  scoreForecast,
} from '../../src/run/history-forecast';

const row = (runId: string, testId: string, attempt: number, outcome: ExecutionRow['outcome'], at: number) =>
  ({
    project: '/p',
    commit: 'c',
    runId,
    testId,
    file: testId.split(' > ')[0]!,
    attempt,
    agent: 'e1',
    outcome,
    durationMs: 7,
    messageDigest: null,
    message: null,
    at,
  }) satisfies ExecutionRow;

/**
 * A history whose answer is known: `bug` always fails, four flaky tests fail 30 % of the time at
 * random, fifteen never fail. The best forecast is "bug fails, the rest pass": it beats always
 * passing (the majority, wrong on `bug`) and repeating the last outcome (wrong on every flip).
 */
function syntheticHistory(runs: number, seed: number): VerdictRecord[] {
  const random = mulberry32(seed);
  const records: VerdictRecord[] = [];
  for (let run = 1; run <= runs; run += 1) {
    const verdict = (test: string, failed: boolean) => records.push({ test, run: `r${run}`, time: run, failed });
    verdict('bug', true);
    for (let k = 0; k < 4; k += 1) verdict(`flaky-${k}`, random() < 0.3);
    for (let k = 0; k < 15; k += 1) verdict(`stable-${k}`, false);
  }
  return records;
}

describe('verdictLog: the history store as a CI verdict log', () => {
  it("keeps each run's first attempts only, at the run's start time, without skipped or file-level cases", () => {
    const log = verdictLog([
      row('r2', 'a.test.ts > t', 1, 'failed', 2_050),
      row('r1', 'a.test.ts > t', 1, 'failed', 1_000),
      row('r1', 'a.test.ts > t', 2, 'passed', 1_100),
      row('r1', 'a.test.ts > s', 1, 'skipped', 1_010),
      row('r1', 'a.test.ts > (file)', 1, 'failed', 1_020),
      row('r1', 'b.test.ts > u', 1, 'passed', 1_030),
      row('r2', 'b.test.ts > u', 1, 'passed', 2_000),
    ]);
    expect(log).toEqual([
      { test: 'a.test.ts > t', run: 'r1', time: 1_000, failed: true, duration: 7 },
      { test: 'b.test.ts > u', run: 'r1', time: 1_000, failed: false, duration: 7 },
      { test: 'a.test.ts > t', run: 'r2', time: 2_000, failed: true, duration: 7 },
      { test: 'b.test.ts > u', run: 'r2', time: 2_000, failed: false, duration: 7 },
    ]);
  });

  it('writes a CSV that @agentlink/learning reads back unchanged (names with commas and quotes)', () => {
    const log: VerdictRecord[] = [
      { test: 'a.test.ts > adds, "quoted"', run: 'r1', time: 5, failed: true, duration: 3 },
      { test: 'b.test.ts > x', run: 'r1', time: 5, failed: false, duration: 4 },
    ];
    const csv = verdictCsv(log);
    expect(csv.split('\n')[0]).toBe('test,run,time,outcome,duration');
    const columns = { test: 'test', run: 'run', time: 'time', outcome: 'outcome', duration: 'duration' };
    expect(verdictsFromCsv(csv, columns)).toEqual(log);
  });
});

describe('forecastFromHistory: history features into a first-attempt failure forecast', () => {
  it(`makes no forecast from fewer than ${MIN_FORECAST_RUNS} runs or a history without failures`, async () => {
    expect(await forecastFromHistory(syntheticHistory(MIN_FORECAST_RUNS - 1, 1), 99)).toBeUndefined();
    const allPassed = syntheticHistory(10, 1).map((r) => ({ ...r, failed: false }));
    expect(await forecastFromHistory(allPassed, 99)).toBeUndefined();
  });

  it('beats always-the-majority and repeat-the-last-outcome on a history where the answer is known', async () => {
    const history = syntheticHistory(20, 7);
    const first = (await forecastFromHistory(history.filter((r) => r.time <= 16), 17))!;
    expect(first.runs).toBe(16);
    expect(forecastFailures(first)).toEqual(['bug']);
    // Runs 17..20, each forecast from the runs before it, as qe-fleet forecasts and scores each run.
    const total = { tests: 0, right: 0, majority: 0, last: 0 };
    for (let run = 17; run <= 20; run += 1) {
      const forecast = (await forecastFromHistory(history.filter((r) => r.time < run), run))!;
      const score = scoreForecast(forecast, history.filter((r) => r.time === run));
      total.tests += score.tests;
      total.right += score.accuracy * score.tests;
      total.majority += score.majorityAccuracy * score.tests;
      total.last += score.lastOutcomeAccuracy * score.tests;
    }
    expect(total.tests).toBe(80);
    expect(total.right).toBeGreaterThan(total.majority);
    expect(total.right).toBeGreaterThan(total.last);
  }, 60_000);
});
