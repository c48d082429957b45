/**
 * Ranking quality of random-forest variants on the numeric FlakeFlagger features, on EXPLORATION split
 * seeds only (the report's hold-out seeds 1001–1005 are refused). For each seed: a stratified 80/20
 * split, the forest trained on the 80 %, its scores on the 20 % summarised as PR-AUC (average
 * precision), ROC-AUC, the best F1 at any threshold and the best F1 among thresholds with balanced
 * accuracy >= 0.86. The last two pick the threshold ON the scored rows: they measure the ranking (what
 * any threshold could give at best), they are not results. Run from the repository root after
 * `npm run build -w @agentlink/learning`:
 *
 *   SEEDS=7,11,42,99 npx tsx tools/bench/learning-forest-variants.ts [variant ...]
 *
 * Prints a Markdown table (means over the seeds) and writes tools/bench/results/learning-forest-variants.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  averagePrecision,
  rocAuc,
  stratifiedSplit,
  trainGbdt,
  type GbdtOptions,
} from '@agentlink/learning';
import { bestF1 } from './best-f1';
import { loadFlakeFlagger } from './flakeflagger-data';

const here = path.dirname(fileURLToPath(import.meta.url));
const HOLDOUT_SEEDS = [1001, 1002, 1003, 1004, 1005];
const BA_FLOOR = 0.86;

const VARIANTS: Record<string, GbdtOptions> = {
  gini: { mode: 'forest', forestTrees: 300 },
  'gini-mtry4': { mode: 'forest', forestTrees: 300, forestFeatures: 4 },
  entropy: { mode: 'forest', forestTrees: 300, forestCriterion: 'entropy' },
  'entropy-mtry4': { mode: 'forest', forestTrees: 300, forestFeatures: 4, forestCriterion: 'entropy' },
  'entropy-mtry3': { mode: 'forest', forestTrees: 300, forestFeatures: 3, forestCriterion: 'entropy' },
};

const seeds = (process.env.SEEDS ?? '7,11,42,99').split(',').map(Number);
if (seeds.some((seed) => HOLDOUT_SEEDS.includes(seed))) throw new Error('seeds 1001–1005 are the report hold-outs');
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(VARIANTS);
const dataset = await loadFlakeFlagger();
interface SeedResult {
  seed: number;
  prAuc: number;
  rocAuc: number;
  f1: number;
  f1AtBa: number;
}
const results: Record<string, SeedResult[]> = {};
console.log(`| Variant | PR-AUC | ROC-AUC | best F1 | best F1 at BA ≥ ${BA_FLOOR} | seconds per fit |`);
console.log('|---|---|---|---|---|---|');
for (const name of names) {
  const options = VARIANTS[name];
  if (options === undefined) throw new Error(`unknown variant ${name}: ${Object.keys(VARIANTS).join(', ')}`);
  const rows: SeedResult[] = [];
  let seconds = 0;
  for (const seed of seeds) {
    const { train, test } = stratifiedSplit(dataset.labels, { testFraction: 0.2, seed });
    const started = performance.now();
    const fit = await trainGbdt(
      { rows: train.map((i) => dataset.features[i]), labels: train.map((i) => dataset.labels[i]) },
      undefined,
      options,
    );
    seconds += (performance.now() - started) / 1000;
    const labels = test.map((i) => dataset.labels[i]);
    const scores = fit.model.probabilities(test.map((i) => dataset.features[i]));
    const [f1, f1AtBa] = bestF1(labels, scores, BA_FLOOR);
    rows.push({ seed, prAuc: averagePrecision(labels, scores), rocAuc: rocAuc(labels, scores), f1, f1AtBa });
  }
  results[name] = rows;
  const mean = (key: 'prAuc' | 'rocAuc' | 'f1' | 'f1AtBa') =>
    (rows.reduce((sum, row) => sum + row[key], 0) / rows.length).toFixed(4);
  const perFit = (seconds / seeds.length).toFixed(1);
  console.log(`| ${name} | ${mean('prAuc')} | ${mean('rocAuc')} | ${mean('f1')} | ${mean('f1AtBa')} | ${perFit} |`);
}
const out = path.resolve(here, 'results/learning-forest-variants.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ seeds, floor: BA_FLOOR, variants: VARIANTS, results }, null, 2)}\n`);
