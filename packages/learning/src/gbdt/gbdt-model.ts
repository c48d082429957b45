import { ModelFormatError } from '../errors';
import { treeOutput, type Tree } from './tree';

/** Serialisable form of a boosted tree ensemble (stored inside a saved FlakinessModel). */
export interface GbdtParameters {
  readonly kind: 'gbdt';
  /** Features each row must have. */
  readonly featureCount: number;
  /** Log-odds every prediction starts from (the weighted training prior). */
  readonly initScore: number;
  readonly trees: readonly Tree[];
  /** Random-forest trees (mode 'forest' or 'both'): leaves hold flaky shares, their mean is a probability. */
  readonly forest?: readonly Tree[];
  /** Share of the forest's mean in the probability; the boosted trees' sigmoid has the rest. Default 1. */
  readonly forestWeight?: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** A trained gradient-boosted tree ensemble: log-odds = initScore + sum of tree outputs. */
export class GradientBoostedTrees {
  private constructor(readonly parameters: GbdtParameters) {}

  static fromParameters(parameters: GbdtParameters): GradientBoostedTrees {
    return new GradientBoostedTrees(parameters);
  }

  /** Checks the shape of parameters read from a file; throws ModelFormatError naming `where`. */
  static parse(value: unknown, where: string): GradientBoostedTrees {
    const p = value as Partial<GbdtParameters> | undefined;
    const fail = (detail: string): never => {
      throw new ModelFormatError(where, `gbdt parameters: ${detail}`);
    };
    if (
      p?.kind !== 'gbdt' ||
      !Number.isInteger(p.featureCount) ||
      !Number.isFinite(p.initScore) ||
      !Array.isArray(p.trees)
    ) {
      return fail('kind "gbdt", featureCount, initScore and trees are required');
    }
    const forest = p.forest ?? [];
    if (!Array.isArray(forest)) fail('forest must be a list of trees');
    if (p.forest !== undefined && !((p.forestWeight ?? 1) >= 0 && (p.forestWeight ?? 1) <= 1))
      fail('forestWeight must be in [0, 1]');
    const check = (tree: Tree, name: string): void => {
      const n = tree?.value?.length;
      const fields = [tree?.feature, tree?.threshold, tree?.left, tree?.right, tree?.value];
      if (n === undefined || n === 0 || fields.some((field) => !Array.isArray(field) || field.length !== n)) {
        fail(`${name} has fields of different lengths`);
      }
      for (let node = 0; node < n; node++) {
        const f = tree.feature[node];
        const childOk = (c: number) => Number.isInteger(c) && c > node && c < n;
        if (f >= p.featureCount! || (f >= 0 && !(childOk(tree.left[node]) && childOk(tree.right[node])))) {
          fail(`${name} node ${node} points outside the tree or the features`);
        }
      }
    };
    p.trees.forEach((tree, t) => check(tree, `tree ${t}`));
    forest.forEach((tree, t) => check(tree, `forest tree ${t}`));
    return new GradientBoostedTrees(p as GbdtParameters);
  }

  /** Boosted and forest trees together. */
  get treeCount(): number {
    return this.parameters.trees.length + (this.parameters.forest?.length ?? 0);
  }

  /** Log-odds of one row from the boosted trees. */
  rawScore(row: ArrayLike<number>): number {
    let score = this.parameters.initScore;
    for (const tree of this.parameters.trees) score += treeOutput(tree, row);
    return score;
  }

  /** Flaky-class probability of one row: the boosted trees' sigmoid, the forest's mean, or their blend. */
  probability(row: ArrayLike<number>): number {
    const { forest, forestWeight = 1 } = this.parameters;
    if (forest === undefined || forest.length === 0) return sigmoid(this.rawScore(row));
    let sum = 0;
    for (const tree of forest) sum += treeOutput(tree, row);
    const fromForest = sum / forest.length;
    if (forestWeight === 1) return fromForest;
    return forestWeight * fromForest + (1 - forestWeight) * sigmoid(this.rawScore(row));
  }

  /** Probabilities of many rows (raw feature values, as in training). */
  probabilities(rows: readonly ArrayLike<number>[]): Float32Array {
    const out = new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = this.probability(rows[i]);
    return out;
  }
}
