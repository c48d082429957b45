import { mulberry32 } from '../prng';
import type { Label } from '../types';
import { binColumns, fitBins, toColumns } from './binning';
import type { ResolvedGbdtOptions } from './gbdt-options';
import { growTree } from './grow-tree';
import { binnedData } from './histogram';
import type { Tree } from './tree';

/** Deepest a forest tree grows (a guard: fully grown trees on this data stay far shallower). */
const FOREST_MAX_DEPTH = 64;

/**
 * A random forest (Breiman; scikit-learn's defaults): each tree is grown fully on a bootstrap
 * sample, trying a random subset of the features at each split, and its leaves hold the flaky
 * share of their bootstrap rows, so the forest's probability is their mean. No class weights:
 * the decision threshold, tuned on held-out predictions, handles the imbalance. The trees reuse
 * the boosting code: with gradient −y, hessian 1, no L2 and step 1, a histogram tree's split
 * gain is the squared-error (Gini) reduction and its leaf value the flaky share. Deterministic
 * for a given seed and input.
 */
export async function trainForest(
  rows: readonly (readonly number[])[],
  labels: readonly Label[],
  o: ResolvedGbdtOptions,
): Promise<Tree[]> {
  const n = labels.length;
  const width = rows[0]?.length ?? 0;
  const columns = toColumns(rows, width);
  const bounds = fitBins(columns, o.maxBins);
  const data = binnedData(
    binColumns(columns, bounds),
    n,
    bounds.map((b) => b.length + 1),
  );
  const hessians = new Float64Array(n).fill(1);
  const gradients = Float64Array.from(labels, (label) => -label);
  const random = mulberry32(o.seed);
  const features = Array.from({ length: width }, (_, f) => f);
  const perSplit = o.forestFeatures === 0 ? Math.max(1, Math.round(Math.sqrt(width))) : o.forestFeatures;
  const context = {
    data,
    bounds,
    gradients,
    hessians,
    maxLeaves: Number.MAX_SAFE_INTEGER,
    maxDepth: FOREST_MAX_DEPTH,
    minSamplesLeaf: o.forestMinSamplesLeaf,
    l2: 0,
    learningRate: 1,
    featuresPerSplit: Math.min(perSplit, width),
    random,
    depthFirst: true,
    stopWhenPure: true,
    criterion: o.forestCriterion === 'entropy' ? ('entropy' as const) : undefined,
  };
  const trees: Tree[] = [];
  for (let t = 0; t < o.forestTrees; t++) {
    // A bootstrap sample: n draws with replacement (a row drawn twice counts twice).
    const sample = new Uint32Array(n);
    for (let i = 0; i < n; i++) sample[i] = Math.floor(random() * n);
    trees.push(growTree(context, sample, features).build());
    // Let timers and I/O run during a long fit.
    if (t % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  return trees;
}
