/**
 * Benchmark of @agentlink/learning on the FlakeFlagger data set: training time of the default
 * configuration, single-prediction latency (p50/p99 against the 100 ms budget) and batch
 * throughput. Run from the repository root after `npm run build -w @agentlink/learning`:
 *
 *   npx tsx tools/bench/learning-bench.ts
 *
 * Prints a table, writes tools/bench/results/learning.json and learning-section.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCsvDataset, stratifiedSplit, trainFlakinessModel } from '@agentlink/learning';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataFile = path.resolve(here, '../../packages/learning/data/flakeflagger/flakeflagger-with-project.csv');
const SINGLE_PREDICTIONS = Number(process.env.SINGLE_PREDICTIONS ?? 5_000);
const BATCH_ROUNDS = Number(process.env.BATCH_ROUNDS ?? 5);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const dataset = await loadCsvDataset(dataFile, { label: 'flakyStatus', drop: ['test_name'], group: 'project' });
const { train, test } = stratifiedSplit(dataset.labels, { testFraction: 0.2, seed: 42 });

const trainStarted = performance.now();
const { model, backend, history } = await trainFlakinessModel(dataset, { indexes: train, seed: 42 });
const trainingSeconds = (performance.now() - trainStarted) / 1000;

const testRows = test.map((i) => dataset.features[i]);
for (const row of testRows.slice(0, 200)) await model.predict(row); // warm-up
const latencies: number[] = [];
let fallbacks = 0;
model.on('prediction', (event) => {
  latencies.push(event.latencyMs);
  if (event.fallback) fallbacks++;
});
for (let i = 0; i < SINGLE_PREDICTIONS; i++) await model.predict(testRows[i % testRows.length]);
latencies.sort((a, b) => a - b);

const batchStarted = performance.now();
for (let round = 0; round < BATCH_ROUNDS; round++) model.predictProbabilities(dataset.features);
const batchPerSecond = (BATCH_ROUNDS * dataset.features.length) / ((performance.now() - batchStarted) / 1000);
model.dispose();

const cpu = os.cpus()[0]?.model ?? 'unknown';
const result = {
  date: new Date().toISOString(),
  command: 'npx tsx tools/bench/learning-bench.ts',
  machine: { cpu, cores: os.cpus().length, node: process.version },
  backend,
  trainingRows: train.length,
  training: { seconds: trainingSeconds, epochsRun: history.epochs.length, bestEpoch: history.bestEpoch, stopReason: history.stopReason, secondsPerEpoch: history.durationMs / 1000 / history.epochs.length },
  singlePrediction: { calls: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: latencies[latencies.length - 1], budgetMs: 100, fallbacks },
  batch: { rows: dataset.features.length, rounds: BATCH_ROUNDS, predictionsPerSecond: batchPerSecond },
};

const rows: [string, string][] = [
  ['backend', backend],
  [`training (${train.length} rows incl. validation part, default config)`, `${trainingSeconds.toFixed(1)} s, ${history.epochs.length} epochs (${result.training.secondsPerEpoch.toFixed(2)} s/epoch)`],
  ['single predict() p50', `${result.singlePrediction.p50Ms.toFixed(3)} ms`],
  ['single predict() p99', `${result.singlePrediction.p99Ms.toFixed(3)} ms (budget 100 ms)`],
  ['single predict() fallbacks', `${fallbacks} of ${latencies.length}`],
  ['batch predictProbabilities()', `${Math.round(batchPerSecond).toLocaleString('en-US')} predictions/s`],
];
console.table(Object.fromEntries(rows));

const section = `## Learning (@agentlink/learning)

Measured ${result.date.slice(0, 10)} on ${cpu} (${result.machine.cores} cores, shared with other jobs: load average ${os.loadavg()[0].toFixed(1)} at the end of the run), Node ${process.version}, TensorFlow.js backend **${backend}**.
Command: \`${result.command}\` (after \`npm run build -w @agentlink/learning\`); raw figures in \`tools/bench/results/learning.json\`.

| Measure | Value |
|---|---|
${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}

Single predictions go through \`FlakinessModel.predict\` (deadline, fallback and event included), ${latencies.length} calls on the FlakeFlagger test rows after 200 warm-up calls. Batch throughput is \`predictProbabilities\` over all ${dataset.features.length} rows, ${BATCH_ROUNDS} rounds. Training is the stratified 80 % part (seed 42) with the default options, early stopping included.
`;
mkdirSync(path.join(here, 'results'), { recursive: true });
writeFileSync(path.join(here, 'results', 'learning.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(path.join(here, 'results', 'learning-section.md'), section);
