#!/usr/bin/env node
// Issue 19's "on the qe-fleet history of the fixture project": N real runs (default 20) of
// examples/flaky-project through the fleet (FLAKY_SEED = run number) recorded in one history store,
// exported with `qe-fleet history verdicts`, featurised with `agentlink-learn history` (from earlier
// runs only) and evaluated with `agentlink-learn evaluate --order time --group run --objective
// accuracy`: accuracy on the latest runs beside the majority and "repeat the last outcome" baselines.
// Build first (npx nx run-many -t build -p qe-fleet,learning).
// Run: node tools/scripts/fleet-history-accuracy.mjs [--runs 20] [--executors 4]
// [--history DB (reuse: runs only when it holds fewer)]
// [--csv apps/qe-fleet/test/fixtures/flaky-project-verdicts.csv]
// [--out tools/bench/results/fleet-history-accuracy.json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fixtureRun, historyJson, machineLine, qeFleet as fleet, root } from './fleet/fixture-runs.mjs';

const learn = path.join(root, 'packages/learning/dist/cli.js');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    executors: { type: 'string', default: '4' },
    history: { type: 'string' },
    csv: { type: 'string', default: path.join(root, 'apps/qe-fleet/test/fixtures/flaky-project-verdicts.csv') },
    out: { type: 'string', default: path.join(root, 'tools/bench/results/fleet-history-accuracy.json') },
  },
});
const work = mkdtempSync(path.join(os.tmpdir(), 'fleet-history-'));
const history = path.resolve(values.history ?? path.join(work, 'history.db'));
const node = (args) => spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const recorded = async () =>
  ((await historyJson(history, 'runs', ['--limit', '1000'])) ?? []).filter((r) => r.status !== 'running').length;

const started = Date.now();
const before = await recorded();
for (let seed = before + 1; seed <= Number(values.runs); seed += 1) {
  const { code, summary } = await fixtureRun({ seed, history, work, args: ['--executors', values.executors] });
  const c = summary.outcome.counts;
  console.error(`run ${seed}: exit ${code}, ${c.passed} passed, ${c.failed} failed, ${c.flaky} flaky`);
}
const runsSeconds = (Date.now() - started) / 1000;

const exported = node([fleet, 'history', 'verdicts', '--history', history, '--out', values.csv]);
if (exported.status !== 0) throw new Error(`qe-fleet history verdicts failed: ${exported.stderr}`);
const features = path.join(work, 'features.csv');
const columns = ['--test', 'test', '--run', 'run', '--time', 'time', '--outcome', 'outcome', '--duration', 'duration'];
const featurised = node([learn, 'history', '--data', values.csv, ...columns, '--out', features]);
if (featurised.status !== 0) throw new Error(`agentlink-learn history failed: ${featurised.stderr}`);
const evaluateArgs = ['evaluate', '--data', features, '--label', 'failed', '--drop', 'test', '--group', 'run'];
evaluateArgs.push('--order', 'time', '--objective', 'accuracy', '--mode', 'holdout');
// gbdt: what the qe-fleet test checks (seconds); auto: the CLI's default nested-CV family choice.
const families = {};
for (const family of ['gbdt', 'auto']) {
  const evaluated = node([learn, ...evaluateArgs, '--family', family]);
  if (evaluated.status !== 0) throw new Error(`agentlink-learn evaluate failed: ${evaluated.stderr}`);
  const [fold] = JSON.parse(evaluated.stdout).holdout.folds;
  families[family] = {
    chosen: fold.family,
    threshold: fold.threshold,
    trainRows: fold.trainRows,
    testRows: fold.testRows,
    testRuns: fold.testGroups.length,
    accuracy: fold.test.accuracy,
    majorityAccuracy: fold.baseline.accuracy,
    lastOutcomeAccuracy: fold.lastOutcomeBaseline.accuracy,
    confusion: fold.test.confusion,
  };
}
const result = {
  date: new Date().toISOString(),
  machine: machineLine(),
  command: `node tools/scripts/fleet-history-accuracy.mjs --runs ${values.runs} --executors ${values.executors}`,
  evaluate: `agentlink-learn ${evaluateArgs.join(' ').replace(features, 'FEATURES.csv')} --family gbdt|auto`,
  runs: await recorded(),
  verdicts: readFileSync(values.csv, 'utf8').trim().split('\n').length - 1,
  // Runs made by this invocation and their wall time (a reused store: 0).
  runsMade: Number(values.runs) - Math.min(before, Number(values.runs)),
  runsSeconds,
  families,
};
console.log(JSON.stringify(result, null, 2));
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
const beats = Object.values(families).every(
  (f) => f.accuracy > f.majorityAccuracy && f.accuracy > f.lastOutcomeAccuracy,
);
process.exit(beats ? 0 : 1);
