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
  /**
   * 'entropy' (a forest only: gradients −y, hessians 1): the gain is the drop in n·entropy of the labels,
   * the positives of a side being −G and its rows H. Default: the second-order gain G²/(H + λ).
   */
  readonly criterion?: 'entropy';
}

const score = (g: number, h: number, l2: number): number => (g * g) / (h + l2);

/** k · ln k for k = 0, 1, 2, …, grown on demand (a forest's class counts are whole numbers). */
let xLogX = new Float64Array([0]);

function xLogXUpTo(n: number): Float64Array {
  if (n < xLogX.length) return xLogX;
  const table = new Float64Array(Math.max(n + 1, 2 * xLogX.length));
  table.set(xLogX);
  for (let k = xLogX.length; k < table.length; k++) table[k] = k * Math.log(k);
  xLogX = table;
  return table;
}

/** n · binary entropy of `positives` among `n` rows (nats): n ln n − p ln p − (n − p) ln(n − p). */
function entropyMass(positives: number, n: number): number {
  if (Number.isInteger(n) && Number.isInteger(positives) && positives >= 0 && positives <= n) {
    const table = xLogXUpTo(n);
    return table[n] - table[positives] - table[n - positives];
  }
  const negatives = n - positives;
  let mass = 0;
  if (positives > 0) mass -= positives * Math.log(positives / n);
  if (negatives > 0) mass -= negatives * Math.log(negatives / n);
  return mass;
}

/** The split of highest gain among `features` for a node with totals (g, h, n); undefined when none is allowed. */
export function bestSplit(
  data: BinnedData,
  histogram: Float64Array,
  totals: { gradient: number; hessian: number; count: number },
  features: readonly number[],
  constraints: SplitConstraints,
): SplitCandidate | undefined {
  const entropy = constraints.criterion === 'entropy';
  const parentScore = entropy
    ? -entropyMass(-totals.gradient, totals.hessian)
    : score(totals.gradient, totals.hessian, constraints.l2);
  // Higher is better: minus the children's entropy mass, or their second-order scores.
  const sideScore = entropy
    ? (g: number, h: number) => -entropyMass(-g, h)
    : (g: number, h: number) => score(g, h, constraints.l2);
  // The entropy masses are differences of k ln k terms (up to ~n ln n): a split that leaves the class shares
  // as they were gains 0 up to rounding, which must not count as a gain.
  const minGain = entropy ? 1e-9 * Math.max(1, totals.hessian) : 1e-12;
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
      const gain = sideScore(g, h) + sideScore(totals.gradient - g, totals.hessian - h) - parentScore;
      if (gain > minGain && (best === undefined || gain > best.gain)) {
        best = { feature: f, bin, gain, leftGradient: g, leftHessian: h, leftCount: n };
      }
    }
  }
  return best;
}
