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

/**
 * Grows one tree best-first (leaf-wise, as LightGBM): the open leaf whose best split gains most
 * is split next, until `maxLeaves` leaves or no split gains. Only the smaller child's histogram is
 * built; the larger one is the parent's minus it. Leaf values are -learningRate * G / (H + l2).
 */
export function growTree(context: GrowContext, members: Uint32Array, features: readonly number[]): TreeBuilder {
  const { data, gradients, hessians } = context;
  const constraints = { l2: context.l2, minSamplesLeaf: context.minSamplesLeaf, minHessian: MIN_HESSIAN };
  const builder = new TreeBuilder();
  const open = (node: number, rows: Uint32Array, histogram: Float64Array, depth: number): OpenLeaf => {
    let gradient = 0;
    let hessian = 0;
    for (let k = 0; k < rows.length; k++) {
      gradient += gradients[rows[k]];
      hessian += hessians[rows[k]];
    }
    const totals = { gradient, hessian, count: rows.length };
    const canSplit = depth < context.maxDepth && rows.length >= 2 * context.minSamplesLeaf;
    const split = canSplit ? bestSplit(data, histogram, totals, features, constraints) : undefined;
    return { node, members: rows, histogram, totals, depth, split };
  };
  const leaves: OpenLeaf[] = [
    open(builder.addLeaf(0), members, buildHistogram(data, members, gradients, hessians, features), 0),
  ];
  let leafCount = 1;
  while (leafCount < context.maxLeaves) {
    let pick = -1;
    for (let k = 0; k < leaves.length; k++) {
      const gain = leaves[k].split?.gain ?? 0;
      if (gain > 0 && (pick < 0 || gain > leaves[pick].split!.gain)) pick = k;
    }
    if (pick < 0) break;
    const parent = leaves[pick];
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
    const smallerIsLeft = left.length <= right.length;
    const smallHistogram = buildHistogram(data, smallerIsLeft ? left : right, gradients, hessians, features);
    const largeHistogram = subtractHistogram(parent.histogram, smallHistogram);
    const leftNode = builder.addLeaf(0);
    const rightNode = builder.addLeaf(0);
    const threshold = context.bounds[split.feature][split.bin];
    builder.split(parent.node, split.feature, split.bin, threshold, leftNode, rightNode);
    const depth = parent.depth + 1;
    leaves.splice(
      pick,
      1,
      open(leftNode, left, smallerIsLeft ? smallHistogram : largeHistogram, depth),
      open(rightNode, right, smallerIsLeft ? largeHistogram : smallHistogram, depth),
    );
    leafCount++;
  }
  for (const leaf of leaves) {
    builder.value[leaf.node] = (-context.learningRate * leaf.totals.gradient) / (leaf.totals.hessian + context.l2);
  }
  return builder;
}
