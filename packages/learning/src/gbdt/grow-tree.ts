import type { BinBounds } from './binning';
import { bestSplit, buildHistogram, subtractHistogram, type BinnedData, type SplitCandidate } from './histogram';
import { TreeBuilder } from './tree';

/** What growing one tree needs: the binned rows, their gradients and the shape limits. */
export interface GrowContext {
  readonly data: BinnedData;
  readonly bounds: BinBounds;
  readonly gradients: Float64Array;
  readonly hessians: Float64Array;
  readonly maxLeaves: number;
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  readonly l2: number;
  readonly learningRate: number;
  /** Random forest: features tried per split (fewer than `features`: a random subset at each node). */
  readonly featuresPerSplit?: number;
  /** Draws of the per-split feature subsets (needed with featuresPerSplit). */
  readonly random?: () => number;
  /**
   * Split the most recently opened leaf first instead of the one of highest gain: with no leaf limit
   * (a forest) the tree is the same, and only one path of histograms is held at a time.
   */
  readonly depthFirst?: boolean;
  /** Do not split a node whose rows all have one label (a forest's gradients −y, hessians 1). */
  readonly stopWhenPure?: boolean;
  /** Split gain of a forest: 'entropy' (see SplitConstraints); default the second-order (Gini) gain. */
  readonly criterion?: 'entropy';
}

interface OpenLeaf {
  readonly node: number;
  readonly members: Uint32Array;
  readonly histogram: Float64Array;
  readonly totals: { gradient: number; hessian: number; count: number };
  readonly depth: number;
  readonly split: SplitCandidate | undefined;
}

const MIN_HESSIAN = 1e-3;
const NO_HISTOGRAM = new Float64Array(0);
const NO_ROWS = new Uint32Array(0);

/** k features drawn without replacement (partial Fisher-Yates), in ascending order. */
function drawFeatures(features: readonly number[], k: number, random: () => number): number[] {
  const pool = [...features];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k).sort((a, b) => a - b);
}

/**
 * Grows one tree best-first (leaf-wise, as LightGBM): the open leaf whose best split gains most
 * is split next (or, with `depthFirst`, the newest), until `maxLeaves` leaves or no split gains.
 * Only children that may split get a histogram: the smaller child's from its rows, the larger
 * one's as the parent's minus it when that is cheaper. Leaf values are -learningRate * G / (H + l2).
 */
export function growTree(context: GrowContext, members: Uint32Array, features: readonly number[]): TreeBuilder {
  const { data, gradients, hessians } = context;
  const constraints = {
    l2: context.l2,
    minSamplesLeaf: context.minSamplesLeaf,
    minHessian: MIN_HESSIAN,
    criterion: context.criterion,
  };
  const builder = new TreeBuilder();
  const open = (node: number, rows: Uint32Array, histogramOf: () => Float64Array, depth: number): OpenLeaf => {
    let gradient = 0;
    let hessian = 0;
    for (let k = 0; k < rows.length; k++) {
      gradient += gradients[rows[k]];
      hessian += hessians[rows[k]];
    }
    const totals = { gradient, hessian, count: rows.length };
    // A forest's pure node (all labels alike: G = 0 or G = -H, exact sums of 0/1) cannot gain.
    const pure = context.stopWhenPure === true && (gradient === 0 || gradient === -hessian);
    const canSplit = !pure && depth < context.maxDepth && rows.length >= 2 * context.minSamplesLeaf;
    // A leaf that will not split needs neither a histogram nor (beyond its totals) its rows.
    if (!canSplit) return { node, members: NO_ROWS, histogram: NO_HISTOGRAM, totals, depth, split: undefined };
    const histogram = histogramOf();
    const perSplit = context.featuresPerSplit ?? features.length;
    const tried = perSplit < features.length ? drawFeatures(features, perSplit, context.random!) : features;
    let split = bestSplit(data, histogram, totals, tried, constraints);
    // As scikit-learn's forests: when the drawn features cannot split the node, the others are tried.
    if (split === undefined && tried !== features) split = bestSplit(data, histogram, totals, features, constraints);
    if (split === undefined) return { node, members: NO_ROWS, histogram: NO_HISTOGRAM, totals, depth, split };
    return { node, members: rows, histogram, totals, depth, split };
  };
  const build = (rows: Uint32Array) => buildHistogram(data, rows, gradients, hessians, features);
  // Leaves that may still split, and leaves that are final.
  const leaves: OpenLeaf[] = [];
  const finished: OpenLeaf[] = [];
  const place = (leaf: OpenLeaf): void => void (leaf.split === undefined ? finished : leaves).push(leaf);
  place(open(builder.addLeaf(0), members, () => build(members), 0));
  let leafCount = 1;
  while (leafCount < context.maxLeaves && leaves.length > 0) {
    let pick = context.depthFirst ? leaves.length - 1 : 0;
    if (!context.depthFirst) {
      for (let k = 1; k < leaves.length; k++) if (leaves[k].split!.gain > leaves[pick].split!.gain) pick = k;
    }
    const parent = leaves[pick];
    leaves[pick] = leaves[leaves.length - 1];
    leaves.pop();
    const split = parent.split!;
    const left = new Uint32Array(split.leftCount);
    const right = new Uint32Array(parent.members.length - split.leftCount);
    const column = split.feature * data.rows;
    let l = 0;
    let r = 0;
    for (const row of parent.members) {
      if (data.bins[column + row] <= split.bin) left[l++] = row;
      else right[r++] = row;
    }
    const leftNode = builder.addLeaf(0);
    const rightNode = builder.addLeaf(0);
    const threshold = context.bounds[split.feature][split.bin];
    builder.split(parent.node, split.feature, split.bin, threshold, leftNode, rightNode);
    const depth = parent.depth + 1;
    // Histograms only for children that may split. The smaller child's is built from its rows; the
    // larger one's is the parent's minus it (the subtraction trick) unless building it is cheaper.
    const [small, smallNode, large, largeNode] =
      left.length <= right.length ? [left, leftNode, right, rightNode] : [right, rightNode, left, leftNode];
    let smallHistogram: Float64Array | undefined;
    const smallLeaf = open(smallNode, small, () => (smallHistogram = build(small)), depth);
    const largeLeaf = open(
      largeNode,
      large,
      () => {
        const cost = (rows: number) => rows * features.length * 3;
        const viaSubtraction = (smallHistogram === undefined ? cost(small.length) : 0) + parent.histogram.length;
        if (cost(large.length) <= viaSubtraction) return build(large);
        return subtractHistogram(parent.histogram, smallHistogram ?? build(small));
      },
      depth,
    );
    for (const leaf of smallNode === leftNode ? [smallLeaf, largeLeaf] : [largeLeaf, smallLeaf]) place(leaf);
    leafCount++;
  }
  for (const leaf of [...leaves, ...finished]) {
    builder.value[leaf.node] = (-context.learningRate * leaf.totals.gradient) / (leaf.totals.hessian + context.l2);
  }
  return builder;
}
