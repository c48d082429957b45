import { InvalidOptionsError } from '@agentlink/resilience';
import type { ThresholdObjective } from './threshold';

/** How much more a flaky row counts than a non-flaky one in the loss. */
export type ClassWeighting = 'balanced' | 'sqrt' | 'none';

/** Training options; every field is optional and documented with its default. */
export interface TrainingOptions {
  /** Units of each hidden ReLU layer. Default [128, 64, 32]. */
  readonly hiddenUnits?: readonly number[];
  /** Independently initialised networks averaged into one model (1 = a single network). Default 1. */
  readonly ensembleSize?: number;
  /** Dropout rate after each hidden layer, in [0, 1). Default 0.1. */
  readonly dropout?: number;
  /** Adam learning rate. Default 0.0005. */
  readonly learningRate?: number;
  /** Rows per gradient step. Default 128. */
  readonly batchSize?: number;
  /** Epoch limit. Default 200. */
  readonly maxEpochs?: number;
  /** Epochs without a validation-loss improvement before stopping (best weights are restored). Default 30. */
  readonly patience?: number;
  /** Smallest validation-loss decrease that counts as an improvement. Default 1e-4. */
  readonly minDelta?: number;
  /** Class weighting: 'balanced' (negatives/positives), 'sqrt' (its square root) or 'none'. Default 'sqrt'. */
  readonly classWeighting?: ClassWeighting;
  /**
   * Share of the training rows carved out (stratified, or by group) for early stopping and the threshold. Default
   * 0.2.
   */
  readonly validationFraction?: number;
  /** What the decision threshold maximises on validation data. Default 'f1'. */
  readonly thresholdObjective?: ThresholdObjective;
  /** Operating-point floor: the threshold must reach this balanced accuracy on validation (0 = none). Default 0. */
  readonly thresholdMinBalancedAccuracy?: number;
  /** Recall the 'precisionAtRecall' objective must reach on validation. Default 0.8. */
  readonly thresholdMinRecall?: number;
  /**
   * Training stops with ERR_TRAINING_DIVERGED when an epoch's loss exceeds this multiple of the lowest so far.
   * Default 10.
   */
  readonly divergenceFactor?: number;
  /** Epochs over which a relative training-loss change below `plateauTolerance` counts as a plateau. Default 10. */
  readonly plateauWindow?: number;
  /** Relative change that counts as no progress. Default 0.01. */
  readonly plateauTolerance?: number;
  /**
   * Test-history encoding (when the data set has a history key): out-of-fold parts for the training rows' own values.
   * Default 5.
   */
  readonly historyFolds?: number;
  /**
   * Test-history encoding: prior weight m of the smoothed flake rate (flaky + m·prior) / (siblings + m). Default 2.
   */
  readonly historySmoothing?: number;
  /** Seed of splits, shuffles, weight initialisation and dropout. Default 42. */
  readonly seed?: number;
  /** Called after every epoch (progress reporting). */
  readonly onEpoch?: (record: { epoch: number; loss: number; valLoss: number }) => void;
}

export type ResolvedTrainingOptions = Required<Omit<TrainingOptions, 'onEpoch'>> & Pick<TrainingOptions, 'onEpoch'>;

export const DEFAULT_TRAINING_OPTIONS: Readonly<Omit<ResolvedTrainingOptions, 'onEpoch'>> = {
  hiddenUnits: [128, 64, 32],
  ensembleSize: 1,
  dropout: 0.1,
  learningRate: 0.0005,
  batchSize: 128,
  maxEpochs: 200,
  patience: 30,
  minDelta: 1e-4,
  classWeighting: 'sqrt',
  validationFraction: 0.2,
  thresholdObjective: 'f1',
  thresholdMinBalancedAccuracy: 0,
  thresholdMinRecall: 0.8,
  divergenceFactor: 10,
  plateauWindow: 10,
  plateauTolerance: 0.01,
  historyFolds: 5,
  historySmoothing: 2,
  seed: 42,
};

function check(condition: boolean, message: string): void {
  if (!condition) throw new InvalidOptionsError(message);
}

const isPositiveInteger = (value: number): boolean => Number.isInteger(value) && value > 0;

/** Fills defaults and rejects invalid values with InvalidOptionsError (ERR_INVALID_OPTIONS). */
export function resolveTrainingOptions(options: TrainingOptions = {}): ResolvedTrainingOptions {
  const resolved = {
    ...DEFAULT_TRAINING_OPTIONS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as ResolvedTrainingOptions;
  check(
    resolved.hiddenUnits.length > 0 && resolved.hiddenUnits.every(isPositiveInteger),
    `hiddenUnits must be a non-empty list of positive integers, got ${JSON.stringify(resolved.hiddenUnits)}`,
  );
  check(
    isPositiveInteger(resolved.ensembleSize),
    `ensembleSize must be a positive integer, got ${resolved.ensembleSize}`,
  );
  check(resolved.dropout >= 0 && resolved.dropout < 1, `dropout must be in [0, 1), got ${resolved.dropout}`);
  check(
    resolved.learningRate > 0 && Number.isFinite(resolved.learningRate),
    `learningRate must be a positive number, got ${resolved.learningRate}`,
  );
  check(isPositiveInteger(resolved.batchSize), `batchSize must be a positive integer, got ${resolved.batchSize}`);
  check(isPositiveInteger(resolved.maxEpochs), `maxEpochs must be a positive integer, got ${resolved.maxEpochs}`);
  check(isPositiveInteger(resolved.patience), `patience must be a positive integer, got ${resolved.patience}`);
  check(resolved.minDelta >= 0, `minDelta must be >= 0, got ${resolved.minDelta}`);
  check(
    ['balanced', 'sqrt', 'none'].includes(resolved.classWeighting),
    `classWeighting must be 'balanced', 'sqrt' or 'none', got ${resolved.classWeighting}`,
  );
  check(
    resolved.validationFraction > 0 && resolved.validationFraction < 1,
    `validationFraction must be in (0, 1), got ${resolved.validationFraction}`,
  );
  check(
    resolved.thresholdMinBalancedAccuracy >= 0 && resolved.thresholdMinBalancedAccuracy <= 1,
    `thresholdMinBalancedAccuracy must be within [0, 1], got ${resolved.thresholdMinBalancedAccuracy}`,
  );
  check(
    resolved.thresholdMinRecall >= 0 && resolved.thresholdMinRecall <= 1,
    `thresholdMinRecall must be within [0, 1], got ${resolved.thresholdMinRecall}`,
  );
  check(resolved.divergenceFactor > 1, `divergenceFactor must be > 1, got ${resolved.divergenceFactor}`);
  check(
    isPositiveInteger(resolved.plateauWindow),
    `plateauWindow must be a positive integer, got ${resolved.plateauWindow}`,
  );
  check(resolved.plateauTolerance >= 0, `plateauTolerance must be >= 0, got ${resolved.plateauTolerance}`);
  check(
    Number.isInteger(resolved.historyFolds) && resolved.historyFolds >= 2,
    `historyFolds must be an integer >= 2, got ${resolved.historyFolds}`,
  );
  check(
    resolved.historySmoothing >= 0 && Number.isFinite(resolved.historySmoothing),
    `historySmoothing must be a finite number >= 0, got ${resolved.historySmoothing}`,
  );
  check(Number.isInteger(resolved.seed), `seed must be an integer, got ${resolved.seed}`);
  return resolved;
}

/** Loss weight of each class, computed from the TRAINING labels only. */
export function classWeights(
  positives: number,
  negatives: number,
  weighting: ClassWeighting,
): { negative: number; positive: number } {
  if (weighting === 'none' || positives === 0 || negatives === 0) return { negative: 1, positive: 1 };
  const ratio = negatives / positives;
  return { negative: 1, positive: weighting === 'balanced' ? ratio : Math.sqrt(ratio) };
}
