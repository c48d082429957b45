/**
 * A regression tree in flat arrays (serialisable as JSON). Node 0 is the root; a node with
 * feature -1 is a leaf holding `value`; otherwise rows with x[feature] <= threshold go left.
 */
export interface Tree {
  readonly feature: readonly number[];
  readonly threshold: readonly number[];
  readonly left: readonly number[];
  readonly right: readonly number[];
  readonly value: readonly number[];
}

/** The leaf value a row reaches. */
export function treeOutput(tree: Tree, row: ArrayLike<number>): number {
  let node = 0;
  while (tree.feature[node] >= 0)
    node = row[tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
  return tree.value[node];
}

/** Tree under construction: also keeps each split's bin so training rows are routed by their bins. */
export class TreeBuilder {
  readonly feature: number[] = [];
  readonly threshold: number[] = [];
  readonly splitBin: number[] = [];
  readonly left: number[] = [];
  readonly right: number[] = [];
  readonly value: number[] = [];

  /** Adds a leaf and returns its index. */
  addLeaf(value: number): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.splitBin.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.value.push(value);
    return this.value.length - 1;
  }

  /** Turns leaf `node` into a split with the two given children. */
  split(node: number, feature: number, bin: number, threshold: number, left: number, right: number): void {
    this.feature[node] = feature;
    this.splitBin[node] = bin;
    this.threshold[node] = threshold;
    this.left[node] = left;
    this.right[node] = right;
    this.value[node] = 0;
  }

  /** Leaf value of training row `row` from its bins (column-major, `rows` rows). */
  outputByBins(bins: Uint8Array, rows: number, row: number): number {
    let node = 0;
    while (this.feature[node] >= 0) {
      node = bins[this.feature[node] * rows + row] <= this.splitBin[node] ? this.left[node] : this.right[node];
    }
    return this.value[node];
  }

  build(): Tree {
    return { feature: this.feature, threshold: this.threshold, left: this.left, right: this.right, value: this.value };
  }
}
