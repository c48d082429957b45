/**
 * Configuration selection for @agentlink/learning WITHOUT touching the test split: stratified
 * 5-fold cross-validation inside the 80 % training part of the seed-42 hold-out split. Each fold
 * trains with the given options (the trainer carves its own validation part out of the fold's
 * training rows) and saves the validation and fold-test probabilities, so threshold strategies
 * can be compared afterwards without retraining (`learning-select-summary.ts`).
 * Run from the repository root:
 *
 *   npx tsx tools/bench/learning-select.ts <name> '<training options JSON>' \
 *     [categorical columns, comma-separated, or -] [history key: column[:strip segments]]
 *
 * The history key (e.g. `test_name:1`, the test class) adds the test-history features, fitted
 * inside each fold's training rows only (see HistoryEncoder).
 * Writes tools/bench/results/learning-select/<name>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  stratifiedKFold,
  stratifiedSplit,
  trainFlakinessModel,
  type TrainModelOptions,
} from '@agentlink/learning';
import { loadFlakeFlagger } from './flakeflagger-data';

const here = path.dirname(fileURLToPath(import.meta.url));
const FOLDS = Number(process.env.SELECT_FOLDS ?? 5);

const [name, optionsJson = '{}', categoricalArg, historyArg] = process.argv.slice(2);
if (name === undefined) {
  throw new Error(
    'usage: learning-select.ts <name> [options JSON] [categorical columns | -] [history key column[:strip]]',
  );
}
const categorical = categoricalArg === undefined || categoricalArg === '-' ? undefined : categoricalArg;
const [historyColumn, historyStrip] = historyArg === undefined ? [] : historyArg.split(':');
const options = JSON.parse(optionsJson) as TrainModelOptions;
const dataset = await loadFlakeFlagger({
  categorical: categorical === undefined ? undefined : categorical.split(','),
  historyKey:
    historyColumn === undefined ? undefined : { column: historyColumn, stripSegments: Number(historyStrip ?? 0) },
});
// The hold-out split of the report; only its training part is used here.
const { train } = stratifiedSplit(dataset.labels, { testFraction: 0.2, seed: 42 });
const trainLabels = train.map((i) => dataset.labels[i]);
const folds = stratifiedKFold(trainLabels, { folds: FOLDS, seed: 42 });
let backend = 'unknown';
const results = [];
const started = performance.now();
for (const [fold, split] of folds.entries()) {
  const foldTrain = split.train.map((j) => train[j]);
  const foldTest = split.test.map((j) => train[j]);
  const trained = await trainFlakinessModel(dataset, { seed: 42, ...options, indexes: foldTrain });
  const historyValues =
    dataset.historyValues === undefined ? undefined : foldTest.map((i) => dataset.historyValues![i]);
  const probabilities = trained.model.predictProbabilities(
    foldTest.map((i) => dataset.features[i]),
    { historyValues },
  );
  trained.model.dispose();
  backend = trained.backend;
  results.push({
    fold: fold + 1,
    bestEpoch: trained.history.bestEpoch,
    epochsRun: trained.history.epochs.length,
    trainingMs: Math.round(trained.history.durationMs),
    validation: {
      labels: trained.validationPredictions.labels,
      probabilities: Array.from(trained.validationPredictions.probabilities, (p) => Number(p.toFixed(6))),
    },
    test: {
      labels: foldTest.map((i) => dataset.labels[i]),
      probabilities: Array.from(probabilities, (p) => Number(p.toFixed(6))),
    },
  });
  console.error(
    `${name} fold ${fold + 1}/${FOLDS}: best epoch ${trained.history.bestEpoch}/${trained.history.epochs.length}, ` +
      `${(trained.history.durationMs / 1000).toFixed(1)} s`,
  );
}
const outDir = path.resolve(here, 'results/learning-select');
mkdirSync(outDir, { recursive: true });
const selection = {
  name,
  options,
  categorical: categorical ?? null,
  historyKey: historyArg ?? null,
  backend,
  folds: FOLDS,
  seconds: Math.round((performance.now() - started) / 1000),
  results,
};
writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(selection)}\n`);
console.error(`${name}: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
