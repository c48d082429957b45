/**
 * Gradient histograms and split search. A histogram holds, per feature and bin, the sums of
 * gradients, hessians and the row count of a node's rows, laid out [g, h, n] per bin.
 */

/** Column-major binned training data with per-feature offsets into a histogram. */
export interface BinnedData {
  readonly bins: Uint8Array;
  readonly rows: number;
  readonly features: number;
  /** Bins of each feature (bounds + 1). */
  readonly binCounts: readonly number[];
  /** Start of each feature's bins in a histogram, in bins. */
  readonly offsets: readonly number[];
  readonly totalBins: number;
}

export function binnedData(bins: Uint8Array, rows: number, binCounts: readonly number[]): BinnedData {
  const offsets: number[] = [];
  let total = 0;
  for (const count of binCounts) {
    offsets.push(total);
    total += count;
  }
  return { bins, rows, features: binCounts.length, binCounts, offsets, totalBins: total };
}

/** Sums gradients, hessians and counts of `members` per (feature, bin) over `features`. */
export function buildHistogram(
  data: BinnedData,
  members: Uint32Array,
  gradients: Float64Array,
  hessians: Float64Array,
  features: readonly number[],
): Float64Array {
  const histogram = new Float64Array(data.totalBins * 3);
  for (const f of features) {
    const base = data.offsets[f] * 3;
    const column = f * data.rows;
    for (let k = 0; k < members.length; k++) {
      const row = members[k];
      const at = base + data.bins[column + row] * 3;
      histogram[at] += gradients[row];
      histogram[at + 1] += hessians[row];
      histogram[at + 2] += 1;
    }
  }
  return histogram;
}

/** parent - child, in place into a new array (the histogram subtraction trick). */
export function subtractHistogram(parent: Float64Array, child: Float64Array): Float64Array {
  const out = new Float64Array(parent.length);
  for (let i = 0; i < parent.length; i++) out[i] = parent[i] - child[i];
  return out;
}

export interface SplitCandidate {
  readonly feature: number;
  /** Rows with bin <= bin go left. */
  readonly bin: number;
  readonly gain: number;
  readonly leftGradient: number;
  readonly leftHessian: number;
  readonly leftCount: number;
}

export interface SplitConstraints {
  readonly l2: number;
  readonly minSamplesLeaf: number;
  /** Smallest hessian sum of a child (keeps leaf values finite). */
  readonly minHessian: number;
}

const score = (g: number, h: number, l2: number): number => (g * g) / (h + l2);

/** The split of highest gain among `features` for a node with totals (g, h, n); undefined when none is allowed. */
export function bestSplit(
  data: BinnedData,
  histogram: Float64Array,
  totals: { gradient: number; hessian: number; count: number },
  features: readonly number[],
  constraints: SplitConstraints,
): SplitCandidate | undefined {
  const parentScore = score(totals.gradient, totals.hessian, constraints.l2);
  let best: SplitCandidate | undefined;
  for (const f of features) {
    const base = data.offsets[f] * 3;
    let g = 0;
    let h = 0;
    let n = 0;
    for (let bin = 0; bin < data.binCounts[f] - 1; bin++) {
      const at = base + bin * 3;
      g += histogram[at];
      h += histogram[at + 1];
      n += histogram[at + 2];
      if (n < constraints.minSamplesLeaf) continue;
      if (totals.count - n < constraints.minSamplesLeaf) break;
      if (h < constraints.minHessian || totals.hessian - h < constraints.minHessian) continue;
      const gain =
        score(g, h, constraints.l2) + score(totals.gradient - g, totals.hessian - h, constraints.l2) - parentScore;
      if (gain > 1e-12 && (best === undefined || gain > best.gain)) {
        best = { feature: f, bin, gain, leftGradient: g, leftHessian: h, leftCount: n };
      }
    }
  }
  return best;
}
