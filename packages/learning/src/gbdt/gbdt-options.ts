import { InvalidOptionsError } from '@agentlink/resilience';
import type { ClassWeighting } from '../training-options';

/** Options of histogram gradient boosting; every field is optional and documented with its default. */
export interface GbdtOptions {
  /** Boosting rounds (trees) at most. Default 400. */
  readonly maxIterations?: number;
  /** Shrinkage of each tree's leaf values. Default 0.08. */
  readonly learningRate?: number;
  /** Leaves per tree, grown best-first (leaf-wise). Default 31. */
  readonly maxLeaves?: number;
  /** Depth limit of a tree. Default 10. */
  readonly maxDepth?: number;
  /** Fewest training rows in a leaf. Default 10. */
  readonly minSamplesLeaf?: number;
  /** L2 penalty on leaf values (the λ of XGBoost). Default 1. */
  readonly l2?: number;
  /** Quantile bins per feature, 2..256. Default 255. */
  readonly maxBins?: number;
  /** Share of features each tree may split on, (0, 1]. Default 0.8. */
  readonly featureFraction?: number;
  /** Share of rows each tree is grown on, (0, 1]. Default 0.8. */
  readonly rowSubsample?: number;
  /** Class weighting of the log loss: 'balanced', 'sqrt' or 'none'. Default 'sqrt'. */
  readonly classWeighting?: ClassWeighting;
  /** Rounds without a validation-loss improvement before stopping (best round kept). Default 40. */
  readonly earlyStoppingRounds?: number;
  /** Seed of row and feature sampling. Default 42. */
  readonly seed?: number;
  /** Boosted ensembles averaged (log-odds), each from its own sampling seed. Default 1. */
  readonly bags?: number;
  /**
   * What is trained: 'boosting' (the options above), 'forest' (a random forest: fully grown trees on
   * bootstrap samples, averaged probabilities) or 'both' (their probabilities averaged). Default 'boosting'.
   */
  readonly mode?: TreeMode;
  /** Trees of the random forest. Default 100. */
  readonly forestTrees?: number;
  /** Features tried at each split of a forest tree; 0 = the square root of the feature count. Default 0. */
  readonly forestFeatures?: number;
  /** Fewest (bootstrap) rows in a forest leaf. Default 1. */
  readonly forestMinSamplesLeaf?: number;
  /**
   * Split criterion of a forest tree: 'gini' (the squared-error reduction) or 'entropy' (the information
   * gain, as scikit-learn's criterion='entropy'). Default 'gini'.
   */
  readonly forestCriterion?: ForestCriterion;
  /** Share of the forest in the probability of mode 'both', in [0, 1]. Default 0.5. */
  readonly forestWeight?: number;
  /** The forest also learns from the validation rows (it needs none: no early stopping). Default false. */
  readonly forestOnValidation?: boolean;
}

export type TreeMode = 'boosting' | 'forest' | 'both';

export type ForestCriterion = 'gini' | 'entropy';

export type ResolvedGbdtOptions = Required<GbdtOptions>;

export const DEFAULT_GBDT_OPTIONS: ResolvedGbdtOptions = {
  maxIterations: 400,
  learningRate: 0.08,
  maxLeaves: 31,
  maxDepth: 10,
  minSamplesLeaf: 10,
  l2: 1,
  maxBins: 255,
  featureFraction: 0.8,
  rowSubsample: 0.8,
  classWeighting: 'sqrt',
  earlyStoppingRounds: 40,
  seed: 42,
  bags: 1,
  mode: 'boosting',
  forestTrees: 100,
  forestFeatures: 0,
  forestMinSamplesLeaf: 1,
  forestCriterion: 'gini',
  forestWeight: 0.5,
  forestOnValidation: false,
};

const positiveInteger = (value: number): boolean => Number.isInteger(value) && value > 0;
const fraction = (value: number): boolean => value > 0 && value <= 1;

/** Fills defaults and rejects invalid values with InvalidOptionsError (ERR_INVALID_OPTIONS) naming the option. */
export function resolveGbdtOptions(options: GbdtOptions = {}): ResolvedGbdtOptions {
  const defined = Object.entries(options).filter(([, value]) => value !== undefined);
  const resolved = { ...DEFAULT_GBDT_OPTIONS, ...Object.fromEntries(defined) } as ResolvedGbdtOptions;
  const checks: [boolean, keyof GbdtOptions, string][] = [
    [positiveInteger(resolved.maxIterations), 'maxIterations', 'a positive integer'],
    [resolved.learningRate > 0 && resolved.learningRate <= 1, 'learningRate', 'in (0, 1]'],
    [Number.isInteger(resolved.maxLeaves) && resolved.maxLeaves >= 2, 'maxLeaves', 'an integer >= 2'],
    [positiveInteger(resolved.maxDepth), 'maxDepth', 'a positive integer'],
    [positiveInteger(resolved.minSamplesLeaf), 'minSamplesLeaf', 'a positive integer'],
    [resolved.l2 >= 0 && Number.isFinite(resolved.l2), 'l2', 'a finite number >= 0'],
    [
      Number.isInteger(resolved.maxBins) && resolved.maxBins >= 2 && resolved.maxBins <= 256,
      'maxBins',
      'an integer in 2..256',
    ],
    [fraction(resolved.featureFraction), 'featureFraction', 'in (0, 1]'],
    [fraction(resolved.rowSubsample), 'rowSubsample', 'in (0, 1]'],
    [['balanced', 'sqrt', 'none'].includes(resolved.classWeighting), 'classWeighting', "'balanced', 'sqrt' or 'none'"],
    [positiveInteger(resolved.earlyStoppingRounds), 'earlyStoppingRounds', 'a positive integer'],
    [Number.isInteger(resolved.seed), 'seed', 'an integer'],
    [positiveInteger(resolved.bags), 'bags', 'a positive integer'],
    [['boosting', 'forest', 'both'].includes(resolved.mode), 'mode', "'boosting', 'forest' or 'both'"],
    [positiveInteger(resolved.forestTrees), 'forestTrees', 'a positive integer'],
    [Number.isInteger(resolved.forestFeatures) && resolved.forestFeatures >= 0, 'forestFeatures', 'an integer >= 0'],
    [positiveInteger(resolved.forestMinSamplesLeaf), 'forestMinSamplesLeaf', 'a positive integer'],
    [['gini', 'entropy'].includes(resolved.forestCriterion), 'forestCriterion', "'gini' or 'entropy'"],
    [resolved.forestWeight >= 0 && resolved.forestWeight <= 1, 'forestWeight', 'in [0, 1]'],
    [typeof resolved.forestOnValidation === 'boolean', 'forestOnValidation', 'true or false'],
  ];
  for (const [ok, name, expected] of checks) {
    if (!ok) throw new InvalidOptionsError(`gbdt ${name} must be ${expected}, got ${String(resolved[name])}`);
  }
  return resolved;
}
