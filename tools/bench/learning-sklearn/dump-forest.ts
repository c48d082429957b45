/**
 * Trains our forest (trainGbdt, options JSON) on the stratified 80/20 splits of SEEDS (exploration seeds
 * only) and dumps the split and the test scores to $CACHE/ts_<name>_<seed>.json for cmp.py / sk.py,
 * which score scikit-learn forests on the very same rows. Run from the repository root:
 *
 *   SEEDS=7,11,42,99 npx tsx tools/bench/learning-sklearn/dump-forest.ts rf300 '{"mode":"forest","forestTrees":300}'
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCsvDataset, stratifiedSplit, trainGbdt, type GbdtOptions } from '@agentlink/learning';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.resolve(here, '../../../packages/learning/data/flakeflagger/flakeflagger-with-project.csv');
const cache = process.env.CACHE ?? '/tmp/learning-sklearn';
mkdirSync(cache, { recursive: true });
const data = await loadCsvDataset(file, { label: 'flakyStatus', drop: ['test_name'], group: 'project' });
const name = process.argv[2] ?? 'rf300';
const options = JSON.parse(process.argv[3] ?? '{"mode":"forest","forestTrees":300}') as GbdtOptions;
const seeds = (process.env.SEEDS ?? '7,11,42,99').split(',').map(Number);
if (seeds.some((seed) => seed >= 1001 && seed <= 1005)) throw new Error('seeds 1001–1005 are the report hold-outs');
for (const seed of seeds) {
  const { train, test } = stratifiedSplit(data.labels, { testFraction: 0.2, seed });
  const rows = { rows: train.map((i) => data.features[i]), labels: train.map((i) => data.labels[i]) };
  const fit = await trainGbdt(rows, undefined, options);
  const p = fit.model.probabilities(test.map((i) => data.features[i]));
  writeFileSync(path.join(cache, `ts_${name}_${seed}.json`), JSON.stringify({ train, test, p: Array.from(p) }));
}
