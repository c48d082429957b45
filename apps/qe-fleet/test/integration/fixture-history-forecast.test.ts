import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verdictsFromCsv, type VerdictRecord } from '@agentlink/learning';
import { forecastFromHistory, scoreForecast } from '../../src/run/history-forecast';

// 20 real runs of examples/flaky-project through the fleet (FLAKY_SEED 1..20), exported with
// `qe-fleet history verdicts`; regenerate with tools/scripts/fleet-history-accuracy.mjs.
const here = path.dirname(fileURLToPath(import.meta.url));
const CSV = path.resolve(here, '../fixtures/flaky-project-verdicts.csv');
const LEARN = path.resolve(here, '../../../../packages/learning/dist/cli.js');
const COLUMNS = ['--test', 'test', '--run', 'run', '--time', 'time', '--outcome', 'outcome', '--duration', 'duration'];

let work: string;
let log: VerdictRecord[];
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qe-fleet-forecast-'));
  const columns = { test: 'test', run: 'run', time: 'time', outcome: 'outcome', duration: 'duration' };
  log = verdictsFromCsv(await readFile(CSV, 'utf8'), columns);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function learn(args: string[]): Promise<unknown> {
  const child = spawn(process.execPath, [LEARN, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const code = await new Promise((resolve) => child.once('close', resolve));
  expect(code).toBe(0);
  return JSON.parse(out);
}

interface Accuracy {
  readonly accuracy: number;
}

describe('the qe-fleet history of examples/flaky-project (20 real runs), time-ordered', () => {
  it('agentlink-learn --objective accuracy beats "always the majority" and "repeat the last outcome"', async () => {
    expect(new Set(log.map((v) => v.run)).size).toBe(20);
    const features = path.join(work, 'features.csv');
    await learn(['history', '--data', CSV, ...COLUMNS, '--out', features]);
    const evaluated = (await learn([
      ...['evaluate', '--data', features, '--label', 'failed', '--drop', 'test', '--group', 'run'],
      ...['--order', 'time', '--objective', 'accuracy', '--mode', 'holdout', '--family', 'gbdt'],
    ])) as { holdout: { folds: Array<{ test: Accuracy; baseline: Accuracy; lastOutcomeBaseline: Accuracy }> } };
    const [fold] = evaluated.holdout.folds;
    expect(fold!.test.accuracy).toBeGreaterThan(fold!.baseline.accuracy);
    expect(fold!.test.accuracy).toBeGreaterThan(fold!.lastOutcomeBaseline.accuracy);
  }, 300_000);

  it("qe-fleet's own forecast, made before each of the last 4 runs from the runs before it, beats both", async () => {
    const runs = [...new Set(log.map((v) => v.time))].sort((a, b) => a - b);
    const total = { tests: 0, right: 0, majority: 0, last: 0 };
    for (const time of runs.slice(-4)) {
      const forecast = (await forecastFromHistory(log.filter((v) => v.time < time), time))!;
      const score = scoreForecast(forecast, log.filter((v) => v.time === time));
      total.tests += score.tests;
      total.right += Math.round(score.accuracy * score.tests);
      total.majority += Math.round(score.majorityAccuracy * score.tests);
      total.last += Math.round(score.lastOutcomeAccuracy * score.tests);
    }
    expect(total.tests).toBe(216);
    expect(total.right).toBeGreaterThan(total.majority);
    expect(total.right).toBeGreaterThan(total.last);
  }, 300_000);
});
