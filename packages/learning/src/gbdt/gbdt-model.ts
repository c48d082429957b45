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
    p.trees.forEach((tree, t) => {
      const n = tree?.value?.length;
      const fields = [tree?.feature, tree?.threshold, tree?.left, tree?.right, tree?.value];
      if (n === undefined || n === 0 || fields.some((field) => !Array.isArray(field) || field.length !== n)) {
        fail(`tree ${t} has fields of different lengths`);
      }
      for (let node = 0; node < n; node++) {
        const f = tree.feature[node];
        const childOk = (c: number) => Number.isInteger(c) && c > node && c < n;
        if (f >= p.featureCount! || (f >= 0 && !(childOk(tree.left[node]) && childOk(tree.right[node])))) {
          fail(`tree ${t} node ${node} points outside the tree or the features`);
        }
      }
    });
    return new GradientBoostedTrees(p as GbdtParameters);
  }

  get treeCount(): number {
    return this.parameters.trees.length;
  }

  /** Log-odds of one row. */
  rawScore(row: ArrayLike<number>): number {
    let score = this.parameters.initScore;
    for (const tree of this.parameters.trees) score += treeOutput(tree, row);
    return score;
  }

  /** Flaky-class probability of one row. */
  probability(row: ArrayLike<number>): number {
    return sigmoid(this.rawScore(row));
  }

  /** Probabilities of many rows (raw feature values, as in training). */
  probabilities(rows: readonly ArrayLike<number>[]): Float32Array {
    const out = new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = this.probability(rows[i]);
    return out;
  }
}
