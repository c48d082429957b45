/**
 * Ranking quality of variants of the report's "+ sibling history" feature set (numeric + one-hot project +
 * the test-class flake rate and counts), on EXPLORATION split seeds only (the report's hold-out seeds
 * 1001–1005 are refused). Per seed: a stratified 80/20 split; the history features of the training rows
 * are out of fold (5 folds), those of the test rows come from all training rows, as in training; a
 * 300-tree entropy forest (the grid's forest) unless the variant says otherwise. Printed: means over the
 * seeds of PR-AUC, the best F1 at any threshold and the best F1 among thresholds with BA >= 0.86 / 0.90.
 * The thresholds are picked ON the scored rows: an upper bound of what the ranking allows, not a result.
 *
 *   npm run build -w @agentlink/learning
 *   SEEDS=7,11,42,99 npx tsx tools/bench/learning-history-variants.ts [variant ...]
 *
 * Writes tools/bench/results/learning-history-variants-<seeds>.json.
 */
import {
  HistoryEncoder,
  averagePrecision,
  stratifiedSplit,
  trainGbdt,
  type Dataset,
  type GbdtOptions,
} from '@agentlink/learning';
import { writeResult } from './bench-output';
import { bestF1 } from './best-f1';
import { loadFlakeFlagger } from './flakeflagger-data';

const HOLDOUT_SEEDS = [1001, 1002, 1003, 1004, 1005];
const FOREST: GbdtOptions = { mode: 'forest', forestTrees: 300, forestCriterion: 'entropy' };

/** A history feature block: the key of each row, derived from `source` ('test' name or 'project'). */
interface HistoryBlock {
  readonly source: 'test' | 'project';
  /** Trailing name segments removed: 1 = test class, 2 = package, 3 = parent package. */
  readonly strip: number;
}
interface Variant {
  readonly description: string;
  readonly oneHotProject: boolean;
  readonly history: readonly HistoryBlock[];
  readonly smoothing?: number;
  readonly model?: GbdtOptions;
}

const CLASS: HistoryBlock = { source: 'test', strip: 1 };
const VARIANTS: Record<string, Variant> = {
  report: { description: 'one-hot project + test-class history', oneHotProject: true, history: [CLASS] },
  package: {
    description: '+ the package\'s flake rate and counts',
    oneHotProject: true,
    history: [CLASS, { source: 'test', strip: 2 }],
  },
  parent: {
    description: '+ package and parent package',
    oneHotProject: true,
    history: [CLASS, { source: 'test', strip: 2 }, { source: 'test', strip: 3 }],
  },
  'project-rate': {
    description: 'project as a flake rate (target encoding) instead of one-hot',
    oneHotProject: false,
    history: [{ source: 'project', strip: 0 }, CLASS],
  },
  'smoothing-0.5': { description: 'smoothing 0.5 (report: 2)', oneHotProject: true, history: [CLASS], smoothing: 0.5 },
  'smoothing-8': { description: 'history smoothing 8', oneHotProject: true, history: [CLASS], smoothing: 8 },
  gini: {
    description: 'Gini forest',
    oneHotProject: true,
    history: [CLASS],
    model: { ...FOREST, forestCriterion: 'gini' },
  },
  'leaf-2': {
    description: 'forest leaves of at least 2 rows',
    oneHotProject: true,
    history: [CLASS],
    model: { ...FOREST, forestMinSamplesLeaf: 2 },
  },
  'leaf-5': {
    description: 'forest leaves of at least 5 rows',
    oneHotProject: true,
    history: [CLASS],
    model: { ...FOREST, forestMinSamplesLeaf: 5 },
  },
};

interface Scores {
  readonly prAuc: number;
  readonly f1: number;
  readonly f1AtBa086: number;
  readonly f1AtBa090: number;
}

async function scoreSeed(variant: Variant, data: Dataset, projects: readonly string[], seed: number): Promise<Scores> {
  const names = data.historyValues!;
  const { train, test } = stratifiedSplit(data.labels, { testFraction: 0.2, seed });
  const trainLabels = train.map((i) => data.labels[i]);
  const trainRows = train.map((i) => [...data.features[i]]);
  const testRows = test.map((i) => [...data.features[i]]);
  const smoothing = variant.smoothing ?? 2;
  for (const block of variant.history) {
    const values = block.source === 'project' ? projects : names;
    const spec = { column: block.source, stripSegments: block.strip };
    const trainValues = train.map((i) => values[i]);
    const outOfFold = HistoryEncoder.outOfFold(trainValues, trainLabels, { spec, smoothing, folds: 5, seed });
    const encoder = HistoryEncoder.fit(trainValues, trainLabels, { spec, smoothing });
    trainRows.forEach((row, k) => row.push(...outOfFold[k]));
    testRows.forEach((row, k) => row.push(...encoder.encode(values[test[k]])));
  }
  const fit = await trainGbdt({ rows: trainRows, labels: trainLabels }, undefined, variant.model ?? FOREST);
  const labels = test.map((i) => data.labels[i]);
  const scores = fit.model.probabilities(testRows);
  const [f1, f1AtBa086] = bestF1(labels, scores, 0.86);
  return { prAuc: averagePrecision(labels, scores), f1, f1AtBa086, f1AtBa090: bestF1(labels, scores, 0.9)[1] };
}

const seeds = (process.env.SEEDS ?? '7,11,42,99').split(',').map(Number);
if (seeds.some((seed) => HOLDOUT_SEEDS.includes(seed))) throw new Error('seeds 1001–1005 are the report hold-outs');
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(VARIANTS);
const unknown = chosen.filter((name) => VARIANTS[name] === undefined);
if (unknown.length > 0) throw new Error(`unknown variant ${unknown.join(', ')}: ${Object.keys(VARIANTS).join(', ')}`);

const historyKey = { column: 'test_name', stripSegments: 0 };
const withOneHot = await loadFlakeFlagger({ categorical: ['project'], historyKey });
// The indicators follow the numeric features: dropping them gives the set without one-hot, without a second parse.
const numericWidth = withOneHot.featureNames.length - (withOneHot.indicatorFeatures?.length ?? 0);
const withoutOneHot: Dataset = {
  ...withOneHot,
  featureNames: withOneHot.featureNames.slice(0, numericWidth),
  features: withOneHot.features.map((row) => row.slice(0, numericWidth)),
  indicatorFeatures: [],
};
const results: Record<string, { description: string; perSeed: Scores[]; mean: Scores }> = {};
console.log(`seeds ${seeds.join(', ')}; thresholds picked on the scored rows (upper bounds)\n`);
console.log('| variant | PR-AUC | best F1 | best F1 at BA ≥ 0.86 | best F1 at BA ≥ 0.90 |\n|---|---|---|---|---|');
for (const name of chosen) {
  const variant = VARIANTS[name]!;
  const data = variant.oneHotProject ? withOneHot : withoutOneHot;
  const perSeed: Scores[] = [];
  for (const seed of seeds) perSeed.push(await scoreSeed(variant, data, withoutOneHot.groups!, seed));
  const mean = (key: keyof Scores): number => perSeed.reduce((sum, s) => sum + s[key], 0) / perSeed.length;
  const means: Scores = {
    prAuc: mean('prAuc'),
    f1: mean('f1'),
    f1AtBa086: mean('f1AtBa086'),
    f1AtBa090: mean('f1AtBa090'),
  };
  results[name] = { description: variant.description, perSeed, mean: means };
  const cells = [means.prAuc, means.f1, means.f1AtBa086, means.f1AtBa090].map((x) => x.toFixed(3)).join(' | ');
  console.log(`| ${name} (${variant.description}) | ${cells} |`);
}
const file = writeResult(`learning-history-variants-${seeds.join('-')}`, { seeds, variants: VARIANTS, results });
console.log(`\nwrote ${file}`);
