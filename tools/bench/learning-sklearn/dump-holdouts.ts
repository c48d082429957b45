/**
 * Dumps the report's five hold-out splits (our `stratifiedSplit`, seeds 1001–1005, 80/20) to
 * $CACHE/holdout_<seed>.json for baseline.py, which scores the scikit-learn / XGBoost baselines on
 * the very rows the report tests. Nothing is trained or chosen here: the baselines are measured on the
 * hold-outs, never tuned on them. Run from the repository root after `npm run build -w @agentlink/learning`:
 *
 *   npx tsx tools/bench/learning-sklearn/dump-holdouts.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCsvDataset, stratifiedSplit } from '@agentlink/learning';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.resolve(here, '../../../packages/learning/data/flakeflagger/flakeflagger-with-project.csv');
const cache = process.env.CACHE ?? '/tmp/learning-sklearn';
mkdirSync(cache, { recursive: true });
const data = await loadCsvDataset(file, { label: 'flakyStatus', drop: ['test_name'], group: 'project' });
for (const seed of [1001, 1002, 1003, 1004, 1005]) {
  const { train, test } = stratifiedSplit(data.labels, { testFraction: 0.2, seed });
  const flaky = test.filter((i) => data.labels[i] === 1).length;
  writeFileSync(path.join(cache, `holdout_${seed}.json`), JSON.stringify({ train, test }));
  console.log(`seed ${seed}: ${train.length} training rows, ${test.length} test rows (${flaky} flaky)`);
}
