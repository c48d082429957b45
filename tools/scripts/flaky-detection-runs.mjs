#!/usr/bin/env node
// Issue 18's detection must-show: N runs (default 20) of examples/flaky-project on a 10-agent QUIC
// fleet (coordinator + 9 executor processes), FLAKY_SEED = run number, all recorded in one
// history store. Per run, every test's verdict is read from the run's summary; a fresh quarantine
// per run, so each run detects on its own. Reports precision (over tests the fixture declares
// never flaky) and recall per flaky test beside its declared probability; writes JSON.
// Build first (npx nx build qe-fleet). Run: node tools/scripts/flaky-detection-runs.mjs [--runs 20]
// [--executors 9] [--out tools/bench/results/flaky-detection.json]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fixtureRun, flakyProject as project, historyJson, machineLine, root } from './fleet/fixture-runs.mjs';

const flakes = JSON.parse(readFileSync(path.join(project, 'flakes.json'), 'utf8'));
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    executors: { type: 'string', default: '9' },
    out: { type: 'string' },
  },
});
const runs = Number(values.runs);
const work = mkdtempSync(path.join(os.tmpdir(), 'flaky-detection-'));
const history = path.join(work, 'history.db');

// A 10-agent fleet by default: the coordinator and 9 executor processes, one file at a time each.
const run = (seed) =>
  fixtureRun({
    seed,
    history,
    work,
    args: ['--mode', 'processes', '--executors', values.executors, '--slots', '1'],
  });

const id = (f) => `${f.file} > ${f.test}`;
const flakyIds = new Map(flakes.flaky.map((f) => [id(f), f]));
const perTest = new Map(flakes.flaky.map((f) => [id(f), { ...f, flagged: 0, failedFirst: 0, missedAllFailed: 0 }]));
let falsePositives = 0;
let neverFlakyObservations = 0;
const perRun = [];
let flakiestInHistory = [];
let runsInHistory = 0;
try {
  for (let seed = 1; seed <= runs; seed += 1) {
    const started = Date.now();
    const { code, summary } = await run(seed);
    let fp = 0;
    for (const v of summary.verdicts) {
      const known = perTest.get(v.id);
      if (known !== undefined) {
        if (v.verdict === 'flaky') known.flagged += 1;
        if (v.attempts[0].outcome === 'failed') known.failedFirst += 1;
        if (v.verdict === 'failed') known.missedAllFailed += 1;
      } else {
        neverFlakyObservations += 1;
        if (v.verdict === 'flaky') fp += 1;
      }
    }
    falsePositives += fp;
    const a = summary.accounting;
    perRun.push({
      seed,
      exitCode: code,
      wallS: (Date.now() - started) / 1000,
      flaky: summary.outcome.counts.flaky,
      falsePositives: fp,
      lost: a.lost,
      duplicates: a.duplicates,
    });
    console.log(
      `run ${seed}/${runs}: exit ${code}, ${summary.outcome.counts.flaky} flaky, ${fp} false positives, ` +
        `tasks ${a.completedOnce}/${a.tasks}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  flakiestInHistory = await historyJson(history, 'flakiest', ['--limit', '20']);
  runsInHistory = (await historyJson(history, 'runs', ['--limit', '100'])).length;
} finally {
  rmSync(work, { recursive: true, force: true });
}
const flakiestLine = flakiestInHistory.map((f) => `${f.testId} (${f.flakyRuns}/${f.runs})`).join('; ');
console.log(`history: ${runsInHistory} runs recorded; flakiest: ${flakiestLine}`);
const truePositives = [...perTest.values()].reduce((s, t) => s + t.flagged, 0);
const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
const rows = [...perTest.values()].map((t) => ({
  test: t.key,
  cause: t.cause,
  probability: t.probability,
  failedFirst: t.failedFirst / runs,
  recall: t.flagged / runs,
  missedAllFailed: t.missedAllFailed,
}));
console.log(
  `\nprecision ${precision.toFixed(3)} (${truePositives} flaky verdicts on known flaky tests, ` +
    `${falsePositives} on ${neverFlakyObservations} observations of never-flaky tests)`,
);
console.log(
  '| test | cause | declared p | failed 1st attempt | flagged flaky (recall) | failed every attempt |\n' +
    '|---|---|---|---|---|---|',
);
for (const r of rows)
  console.log(
    `| ${r.test} | ${r.cause} | ${r.probability} | ` +
      `${r.failedFirst.toFixed(2)} | ${r.recall.toFixed(2)} | ${r.missedAllFailed} |`,
  );
const out = values.out ?? path.join(root, 'tools/bench/results/flaky-detection.json');
const report = {
  date: new Date().toISOString(),
  machine: machineLine(),
  runs,
  agents: Number(values.executors) + 1,
  precision,
  truePositives,
  falsePositives,
  neverFlakyObservations,
  perTest: rows,
  perRun,
  runsInHistory,
  flakiestInHistory,
};
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`-> ${out}`);
process.exit(falsePositives === 0 && flakyIds.size > 0 ? 0 : 1);
