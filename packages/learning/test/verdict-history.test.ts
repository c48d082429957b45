import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../src/cli';
import { datasetFromCsv } from '../src/load-dataset';
import { holdoutEvaluation } from '../src/evaluation';
import { mulberry32 } from '../src/prng';
import { verdictFeaturesCsv, verdictsFromCsv } from '../src/verdict-csv';
import { VERDICT_FEATURES, VerdictHistory, featurizeVerdicts, type VerdictRecord } from '../src/verdict-history';
import { tempDirectory } from './fixtures';

const temp = tempDirectory();
afterAll(() => temp.cleanup());

const at = (name: (typeof VERDICT_FEATURES)[number]) => VERDICT_FEATURES.indexOf(name);

/**
 * A CI history whose answer is known: 40 % of tests are stable (fail 2 %), 20 % broken (fail
 * 95 %), 40 % flaky (fail 35 %, independently per run). The best rule, "fail when the test's own
 * failure rate is high", beats both "always pass" (majority) and "repeat the last outcome".
 */
function syntheticHistory(tests: number, runs: number, seed: number): VerdictRecord[] {
  const random = mulberry32(seed);
  const rates = Array.from({ length: tests }, (_, t) => (t % 5 < 2 ? 0.02 : t % 5 === 2 ? 0.95 : 0.35));
  const records: VerdictRecord[] = [];
  for (let r = 0; r < runs; r++) {
    for (let t = 0; t < tests; t++)
      records.push({
        test: `t${t}`,
        run: `r${r}`,
        time: 1000 + r * 60,
        failed: random() < rates[t],
        duration: 10 + random(),
      });
  }
  return records;
}

describe('verdict history features', () => {
  it('uses earlier runs only: last outcomes, rates, flips, streaks, durations, time since failure', () => {
    const log: VerdictRecord[] = [
      { test: 'a', run: '1', time: 10, failed: false, duration: 2 },
      { test: 'a', run: '2', time: 20, failed: true, duration: 4 },
      { test: 'a', run: '3', time: 30, failed: true, duration: 6 },
      { test: 'a', run: '4', time: 40, failed: false },
      { test: 'b', run: '4', time: 40, failed: true },
    ];
    const rows = featurizeVerdicts([...log].reverse()).reverse();
    expect(rows[0]).toEqual([0, -1, -1, -1, -1, -1, -1, 0, -1, -1, -1, -1]);
    const fourth = rows[3];
    expect(fourth[at('verdict:runs')]).toBe(3);
    expect([
      fourth[at('verdict:lastFailed')],
      fourth[at('verdict:last2Failed')],
      fourth[at('verdict:last3Failed')],
    ]).toEqual([1, 1, 0]);
    expect(fourth[at('verdict:failRate')]).toBeCloseTo(2 / 3, 12);
    expect(fourth[at('verdict:flipRate')]).toBe(0.5);
    expect(fourth[at('verdict:streak')]).toBe(2);
    expect(fourth[at('verdict:durationMean')]).toBe(4);
    expect(fourth[at('verdict:durationStd')]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(fourth[at('verdict:timeSinceLastFailure')]).toBe(10);
    // b's first verdict shares run 4 with a's: it sees nothing of that run.
    expect(rows[4][at('verdict:runs')]).toBe(0);
    const live = new VerdictHistory();
    log.slice(0, 3).forEach((r) => live.observe(r));
    expect(live.features('a', 40)).toEqual(fourth);
  });

  it('reads a CSV log with typed errors and writes a training CSV', () => {
    const csv = 'name,cycle,when,verdict,ms\nx,c1,2026-01-01T00:00:00Z,passed,5\nx,c2,2026-01-02T00:00:00Z,failed,7\n';
    const verdicts = verdictsFromCsv(csv, {
      test: 'name',
      run: 'cycle',
      time: 'when',
      outcome: 'verdict',
      duration: 'ms',
    });
    expect(verdicts[1]).toMatchObject({ failed: true, duration: 7, run: 'c2' });
    const out = verdictFeaturesCsv(verdicts).split('\n');
    expect(out[0]).toBe(['test', 'run', 'time', 'failed', ...VERDICT_FEATURES].join(','));
    expect(out[2].split(',').slice(3, 6)).toEqual(['1', '1', '0']);
    expect(() =>
      verdictsFromCsv(csv.replace('failed', 'maybe'), {
        test: 'name',
        run: 'cycle',
        time: 'when',
        outcome: 'verdict',
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_LABEL', rows: [3] }));
    expect(() => verdictsFromCsv(csv, { test: 'name', run: 'cycle', time: 'nope', outcome: 'verdict' })).toThrow(
      expect.objectContaining({ code: 'ERR_MISSING_COLUMN' }),
    );
  });

  const title =
    'with --objective accuracy and a time-ordered split,' +
    ' beats the majority and "repeat the last outcome"';
  it(title, async () => {
    const csv = verdictFeaturesCsv(syntheticHistory(50, 40, 3));
    const dataset = datasetFromCsv(csv, { label: 'failed', drop: ['test'], group: 'run', order: 'time' });
    const summary = await holdoutEvaluation(dataset, {
      family: 'gbdt',
      gbdt: { maxIterations: 60, minSamplesLeaf: 10 },
      thresholdObjective: 'accuracy',
    });
    const fold = summary.folds[0];
    expect(summary.kind).toBe('time-ordered-holdout');
    expect(fold.lastOutcomeBaseline).toBeDefined();
    expect(fold.test.accuracy).toBeGreaterThan(fold.baseline.accuracy + 0.05);
    expect(fold.test.accuracy).toBeGreaterThan(fold.lastOutcomeBaseline!.accuracy + 0.02);
  }, 120_000);

  it('agentlink-learn history turns any verdict CSV into training rows that evaluate reads time-ordered', async () => {
    const log = path.join(temp.dir, 'verdicts.csv');
    const lines = [
      'case,cycle,started,result,seconds',
      ...syntheticHistory(30, 25, 8).map(
        (v) => `${v.test},${v.run},${v.time},${v.failed ? 'failed' : 'passed'},${v.duration}`,
      ),
    ];
    writeFileSync(log, `${lines.join('\n')}\n`);
    const out = path.join(temp.dir, 'features.csv');
    const io = { out: '', err: '' };
    const sink = { out: (t: string) => (io.out += t), err: (t: string) => (io.err += t) };
    expect(
      await runCli(
        [
          'history',
          '--data',
          log,
          '--test',
          'case',
          '--run',
          'cycle',
          '--time',
          'started',
          '--outcome',
          'result',
          '--duration',
          'seconds',
          '--out',
          out,
        ],
        sink,
      ),
    ).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ verdicts: 750, tests: 30, runs: 25 });
    expect(readFileSync(out, 'utf8').split('\n')[0]).toContain('verdict:timeSinceLastFailure');
    io.out = '';
    const argv = [
      'evaluate',
      '--data',
      out,
      '--label',
      'failed',
      '--drop',
      'test',
      '--group',
      'run',
      '--order',
      'time',
      '--objective',
      'accuracy',
      '--family',
      'gbdt',
    ];
    expect(await runCli(argv, sink)).toBe(0);
    const holdout = JSON.parse(io.out).holdout;
    expect(holdout.kind).toBe('time-ordered-holdout');
    expect(holdout.folds[0].lastOutcomeBaseline.accuracy).toEqual(expect.any(Number));
    expect(await runCli(['history', '--data', log, '--test', 'case', '--out', out], sink)).toBe(2);
    expect(io.err).toContain('history needs --run <column>');
  }, 120_000);
});
