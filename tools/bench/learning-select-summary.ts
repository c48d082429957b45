/**
 * Summarises the configuration-selection runs of `learning-select.ts` (5-fold CV inside the
 * training part of the seed-42 hold-out; the test split is never read). For every saved
 * configuration and every threshold strategy, the threshold is chosen on each fold's VALIDATION
 * part and scored on the fold's held-out part. Run from the repository root:
 *
 *   npx tsx tools/bench/learning-select-summary.ts
 *
 * Prints a Markdown table and writes tools/bench/results/learning-select/summary.json.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluatePredictions, tuneThreshold, type Label, type ThresholdObjective } from '@agentlink/learning';

interface Part {
  readonly labels: Label[];
  readonly probabilities: number[];
}
interface Run {
  readonly name: string;
  readonly options: unknown;
  readonly categorical: string | null;
  readonly seconds: number;
  readonly results: {
    fold: number;
    bestEpoch: number;
    epochsRun: number;
    trainingMs: number;
    validation: Part;
    test: Part;
  }[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.resolve(here, 'results/learning-select');
const runs = readdirSync(dir)
  .filter((file) => file.endsWith('.json') && file !== 'summary.json')
  .sort()
  .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Run);

const STRATEGIES: readonly { name: string; objective: ThresholdObjective; floor: number }[] = [
  { name: 'best F1 on val.', objective: 'f1', floor: 0 },
  { name: 'F1 s.t. BA ≥ 0.85 on val.', objective: 'f1', floor: 0.85 },
  { name: 'F1 s.t. BA ≥ 0.86 on val.', objective: 'f1', floor: 0.86 },
  { name: 'F1 s.t. BA ≥ 0.87 on val.', objective: 'f1', floor: 0.87 },
  { name: 'F1 s.t. BA ≥ 0.88 on val.', objective: 'f1', floor: 0.88 },
  { name: 'best MCC on val.', objective: 'mcc', floor: 0 },
];

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const std = (values: readonly number[]): number =>
  Math.sqrt(values.reduce((s, v) => s + (v - mean(values)) ** 2, 0) / (values.length - 1));
const f = (value: number): string => value.toFixed(3);

const summary = [];
console.log(
  '| Configuration | Threshold strategy | F1 mean ± std | Bal. acc. mean ± std | ' +
    'Folds with F1 ≥ 0.65 and BA ≥ 0.85 | ROC-AUC | epochs (best) | s/fold |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const run of runs) {
  for (const strategy of STRATEGIES) {
    const folds = run.results.map((r) => {
      const { threshold } = tuneThreshold(r.validation.labels, r.validation.probabilities, strategy.objective, {
        minBalancedAccuracy: strategy.floor,
      });
      return evaluatePredictions(r.test.labels, r.test.probabilities, threshold);
    });
    const f1s = folds.map((m) => m.f1);
    const bas = folds.map((m) => m.balancedAccuracy);
    const both = folds.filter((m) => m.f1 >= 0.65 && m.balancedAccuracy >= 0.85).length;
    const auc = mean(folds.map((m) => m.rocAuc));
    const epochs = mean(run.results.map((r) => r.bestEpoch));
    const seconds = mean(run.results.map((r) => r.trainingMs)) / 1000;
    summary.push({
      configuration: run.name,
      options: run.options,
      categorical: run.categorical,
      strategy: strategy.name,
      f1: [mean(f1s), std(f1s)],
      balancedAccuracy: [mean(bas), std(bas)],
      bothMet: both,
      rocAuc: auc,
      bestEpoch: epochs,
      secondsPerFold: seconds,
    });
    console.log(
      `| ${run.name} | ${strategy.name} | ${f(mean(f1s))} ± ${f(std(f1s))} | ${f(mean(bas))} ± ${f(std(bas))} | ` +
        `${both}/${folds.length} | ${f(auc)} | ${epochs.toFixed(0)} | ${seconds.toFixed(0)} |`,
    );
  }
}
writeFileSync(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
