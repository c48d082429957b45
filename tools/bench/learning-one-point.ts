/**
 * The report's numeric-only hold-out (or, with SET=history, its "+ sibling history" one), trees families only,
 * on EXPLORATION split seeds (the report's seeds 1001–1005 are refused), for a trees grid: nested selection
 * (3 inner folds) among the grid's configurations, thresholds tuned inside the training rows, the BA floor
 * calibrated as in the report. Prints, per grid, the mean over the seeds of the F1-tuned point, of the one
 * threshold "best F1 with BA >= 0.86" (0.9 with history) and of its ceiling (threshold picked on the test rows:
 * a bound), and the test PR-AUC. Run from the repository root after `npm run build -w @agentlink/learning`:
 *
 *   SEEDS=7,11,42,99 [SET=history] npx tsx tools/bench/learning-one-point.ts [grid ...]
 *
 * Grids: `current` (DEFAULT_GBDT_GRID as built) and the variants below. Writes
 * tools/bench/results/learning-one-point-<seeds>.json (learning-one-point-history-<seeds>.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_GBDT_GRID,
  REPORT_OPERATING_POINTS,
  holdoutEvaluation,
  type GbdtOptions,
} from '@agentlink/learning';
import { loadFlakeFlagger } from './flakeflagger-data';

const here = path.dirname(fileURLToPath(import.meta.url));
const HOLDOUT_SEEDS = [1001, 1002, 1003, 1004, 1005];
const HISTORY = process.env.SET === 'history';
const POINT = HISTORY ? 'F1 at BA ≥ 0.9' : 'F1 at BA ≥ 0.86';
// The report's "+ sibling history" set: project indicators and the flake rate of the test's class siblings.
const HISTORY_SCHEMA = { categorical: ['project'], historyKey: { column: 'test_name', stripSegments: 1 } };

const boosted = DEFAULT_GBDT_GRID.filter((options) => (options.mode ?? 'boosting') === 'boosting');
const GRIDS: Record<string, readonly GbdtOptions[]> = {
  current: DEFAULT_GBDT_GRID,
  gini: [...boosted, { mode: 'forest', forestTrees: 300 }],
  entropy: [...boosted, { mode: 'forest', forestTrees: 300, forestCriterion: 'entropy' }],
  // Both entropy forests, fully grown and with leaves of at least 5 rows: nested selection picks per training set.
  'entropy-leaf5': [
    ...boosted,
    { mode: 'forest', forestTrees: 300, forestCriterion: 'entropy' },
    { mode: 'forest', forestTrees: 300, forestCriterion: 'entropy', forestMinSamplesLeaf: 5 },
  ],
};

const seeds = (process.env.SEEDS ?? '7,11,42,99').split(',').map(Number);
if (seeds.some((seed) => HOLDOUT_SEEDS.includes(seed))) throw new Error('seeds 1001–1005 are the report hold-outs');
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['gini', 'entropy'];
const dataset = await loadFlakeFlagger(HISTORY ? HISTORY_SCHEMA : {});
interface SeedResult {
  seed: number;
  f1: number;
  ba: number;
  prAuc: number;
  pointF1: number;
  pointBa: number;
  ceilingF1: number;
  ceilingBa: number;
  chosen: string;
}
const results: Record<string, SeedResult[]> = {};
const mean = (values: readonly number[]) => (values.reduce((a, b) => a + b, 0) / values.length).toFixed(3);
console.log(`| Grid | F1-tuned F1 / BA | ${POINT}: F1 / BA | its ceiling: F1 / BA | PR-AUC | chosen |`);
console.log('|---|---|---|---|---|---|');
for (const name of names) {
  const gbdtGrid = GRIDS[name];
  if (gbdtGrid === undefined) throw new Error(`unknown grid ${name}: ${Object.keys(GRIDS).join(', ')}`);
  const rows: SeedResult[] = [];
  for (const seed of seeds) {
    const summary = await holdoutEvaluation(dataset, {
      seed,
      testFraction: 0.2,
      family: 'auto',
      families: ['gbdt'],
      innerFolds: 3,
      gbdtGrid,
      operatingPoints: REPORT_OPERATING_POINTS,
      calibrateFloors: true,
    });
    const fold = summary.folds[0];
    const point = fold.operatingPoints?.[POINT];
    rows.push({
      seed,
      f1: fold.test.f1,
      ba: fold.test.balancedAccuracy,
      prAuc: fold.test.prAuc,
      pointF1: point?.test.f1 ?? Number.NaN,
      pointBa: point?.test.balancedAccuracy ?? Number.NaN,
      ceilingF1: point?.ceiling?.test.f1 ?? Number.NaN,
      ceilingBa: point?.ceiling?.test.balancedAccuracy ?? Number.NaN,
      chosen: fold.selection?.chosen.gbdt?.mode ?? 'boosting',
    });
  }
  results[name] = rows;
  const column = (key: Exclude<keyof SeedResult, 'seed' | 'chosen'>) => mean(rows.map((row) => row[key]));
  const chosen = rows.map((row) => row.chosen).join(', ');
  console.log(
    `| ${name} | ${column('f1')} / ${column('ba')} | ${column('pointF1')} / ${column('pointBa')} | ` +
      `${column('ceilingF1')} / ${column('ceilingBa')} | ${column('prAuc')} | ${chosen} |`,
  );
}
const out = path.resolve(here, `results/learning-one-point-${HISTORY ? 'history-' : ''}${seeds.join('-')}.json`);
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ seeds, grids: GRIDS, results }, null, 2)}\n`);
