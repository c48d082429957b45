/**
 * Benchmark of @agentlink/learning on the FlakeFlagger data set: training time of the boosted
 * trees on all 21,661 x 22 rows (fixed rounds, no early stopping: the worst case) and of the
 * random forest, the trees configurations as trained in evaluations (80 % part, early stopping:
 * boosted, forest, both averaged), single-prediction latency
 * (p50/p99 through FlakinessModel.predict, deadline included) and batch throughput. With
 * BENCH_NETWORK=1 the TF.js network (default options) is measured too. Run from the repository
 * root after `npm run build -w @agentlink/learning`:
 *
 *   npx tsx tools/bench/learning-bench.ts
 *
 * Prints a table, writes tools/bench/results/learning.json and learning-section.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_GBDT_GRID,
  stratifiedSplit,
  trainFlakinessModel,
  trainGbdt,
  type FlakinessModel,
  type GbdtOptions,
  type ModelFamily,
} from '@agentlink/learning';
import { loadFlakeFlagger } from './flakeflagger-data';

const here = path.dirname(fileURLToPath(import.meta.url));
const SINGLE_PREDICTIONS = Number(process.env.SINGLE_PREDICTIONS ?? 5_000);
const BATCH_ROUNDS = Number(process.env.BATCH_ROUNDS ?? 5);
const FULL_ROUNDS = Number(process.env.FULL_ROUNDS ?? 400);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const dataset = await loadFlakeFlagger();
const { train, test } = stratifiedSplit(dataset.labels, { testFraction: 0.2, seed: 42 });
const testRows = test.map((i) => dataset.features[i]);

// Worst case: every row, a fixed number of rounds (no validation, so no early stop).
const fullStarted = performance.now();
const full = await trainGbdt({ rows: dataset.features, labels: dataset.labels }, undefined, {
  maxIterations: FULL_ROUNDS,
});
const fullSeconds = (performance.now() - fullStarted) / 1000;
// The random forest of nested selection's grid (DEFAULT_GBDT_GRID: 300 fully grown trees) on every row.
const FOREST = DEFAULT_GBDT_GRID.find((options) => options.mode === 'forest')!;
const forestStarted = performance.now();
const forest = await trainGbdt({ rows: dataset.features, labels: dataset.labels }, undefined, FOREST);
const forestSeconds = (performance.now() - forestStarted) / 1000;

async function latency(
  model: FlakinessModel,
): Promise<{ p50Ms: number; p99Ms: number; maxMs: number; fallbacks: number; calls: number; batchPerSecond: number }> {
  for (const row of testRows.slice(0, 200)) await model.predict(row); // warm-up
  const latencies: number[] = [];
  let fallbacks = 0;
  model.on('prediction', (event) => {
    latencies.push(event.latencyMs);
    if (event.fallback) fallbacks++;
  });
  for (let i = 0; i < SINGLE_PREDICTIONS; i++) await model.predict(testRows[i % testRows.length]);
  latencies.sort((a, b) => a - b);
  const started = performance.now();
  for (let round = 0; round < BATCH_ROUNDS; round++) model.predictProbabilities(dataset.features);
  const batchPerSecond = (BATCH_ROUNDS * dataset.features.length) / ((performance.now() - started) / 1000);
  return {
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1)!,
    fallbacks,
    calls: latencies.length,
    batchPerSecond,
  };
}

async function family(name: ModelFamily, gbdt?: GbdtOptions, label: string = name) {
  const started = performance.now();
  const trained = await trainFlakinessModel(dataset, { indexes: train, seed: 42, family: name, gbdt });
  const seconds = (performance.now() - started) / 1000;
  const timing = await latency(trained.model);
  trained.model.dispose();
  return {
    family: label,
    backend: trained.backend,
    seconds,
    rounds: trained.history.epochs.length,
    best: trained.history.bestEpoch,
    ...timing,
  };
}

// The trees configurations nested selection can choose (DEFAULT_GBDT_GRID): boosted, forest, both.
const families = [
  await family('gbdt'),
  await family('gbdt', FOREST, 'gbdt forest'),
  await family(
    'gbdt',
    { ...FOREST, minSamplesLeaf: 1, maxLeaves: 63, classWeighting: 'none', mode: 'both' },
    'gbdt both',
  ),
  ...(process.env.BENCH_NETWORK === '1' ? [await family('network')] : []),
];
const cpu = os.cpus()[0]?.model ?? 'unknown';
const result = {
  date: new Date().toISOString(),
  command: 'npx tsx tools/bench/learning-bench.ts',
  machine: { cpu, cores: os.cpus().length, node: process.version, loadAverage: os.loadavg()[0] },
  gbdtAllRows: {
    rows: dataset.features.length,
    features: dataset.featureNames.length,
    rounds: full.model.treeCount,
    seconds: fullSeconds,
  },
  forestAllRows: { trees: forest.model.treeCount, seconds: forestSeconds },
  families,
};

const rows: [string, string][] = [
  [
    `gbdt training, all ${dataset.features.length} x ${dataset.featureNames.length} rows, ` +
      `${full.model.treeCount} rounds`,
    `${fullSeconds.toFixed(1)} s`,
  ],
  [
    `forest training, all ${dataset.features.length} x ${dataset.featureNames.length} rows, ` +
      `${forest.model.treeCount} trees`,
    `${forestSeconds.toFixed(1)} s`,
  ],
  ...families.flatMap((f): [string, string][] => [
    [
      `${f.family} training, 80 % part (${train.length} rows incl. validation), early stopping`,
      `${f.seconds.toFixed(1)} s, ${f.rounds} ${f.family === 'network' ? 'epochs' : 'rounds'} (best ${f.best})`,
    ],
    [
      `${f.family} single predict() p50 / p99 / max`,
      `${f.p50Ms.toFixed(3)} / ${f.p99Ms.toFixed(3)} / ${f.maxMs.toFixed(1)} ms (budget 100 ms)`,
    ],
    [`${f.family} single predict() fallbacks`, `${f.fallbacks} of ${f.calls}`],
    [
      `${f.family} batch predictProbabilities()`,
      `${Math.round(f.batchPerSecond).toLocaleString('en-US')} predictions/s`,
    ],
  ]),
];
console.table(Object.fromEntries(rows));

const load = os.loadavg()[0].toFixed(1);
const measured =
  `Measured ${result.date.slice(0, 10)} on ${cpu} (${result.machine.cores} cores, shared with other jobs: ` +
  `load average ${load} at the end of the run), Node ${process.version}.`;
const commandLine =
  `Command: \`${result.command}\` (after \`npm run build -w @agentlink/learning\`; ` +
  "`BENCH_NETWORK=1` adds the TF.js network); raw figures in `tools/bench/results/learning.json`.";
const method =
  `The all-rows figure is histogram gradient boosting (\`trainGbdt\`, default options, ${FULL_ROUNDS} rounds ` +
  'without early stopping) on every FlakeFlagger row; the forest figure is the grid forest (300 full trees) ' +
  "(`mode: 'forest'`) on every row. `gbdt forest` and `gbdt both` are the trees family with the forest alone " +
  'and with the forest averaged with boosted trees (63 leaves, no class weights), as nested selection may ' +
  'choose them (a forest has no rounds: 0). Single predictions go through `FlakinessModel.predict` ' +
  `(deadline, fallback and event included), ${SINGLE_PREDICTIONS} calls on the test rows of the stratified ` +
  '80/20 split (seed 42) after 200 warm-up calls; batch throughput is `predictProbabilities` over all ' +
  `${dataset.features.length} rows, ${BATCH_ROUNDS} rounds.`;
const section = `## Learning (@agentlink/learning)

${measured}
${commandLine}

| Measure | Value |
|---|---|
${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}

${method}
`;
mkdirSync(path.join(here, 'results'), { recursive: true });
writeFileSync(path.join(here, 'results', 'learning.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(path.join(here, 'results', 'learning-section.md'), section);
