import type { FamilyChoice, ModelFamily } from './model-family';
import type { SelectionOptions, SelectionRecord } from './select-model';
import type { ThresholdObjective } from './threshold';
import type { TrainModelOptions } from './train-model';
import type { BackendName, ClassificationMetrics, ConfusionMatrix } from './types';

/** Result of one train/test partition. */
export interface FoldResult {
  readonly fold: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly testPositives: number;
  /** Groups (projects) in the test part, for grouped evaluations. */
  readonly testGroups?: readonly string[];
  readonly threshold: number;
  /** Family that predicted (chosen by nested CV inside the training rows when the family was 'auto'). */
  readonly family: ModelFamily;
  /** The inner-fold scores of every candidate, when the family was chosen by nested CV. */
  readonly selection?: SelectionRecord;
  readonly bestEpoch: number;
  readonly epochsRun: number;
  readonly stopReason: string;
  readonly plateauEpoch: number | null;
  readonly test: ClassificationMetrics;
  readonly baseline: ClassificationMetrics;
  /**
   * "Repeat the last outcome" (the `verdict:lastFailed` feature; no history = the training majority),
   * when the data has it.
   */
  readonly lastOutcomeBaseline?: ClassificationMetrics;
  readonly trainingMs: number;
  /** The same model at further thresholds (`operatingPoints`), each tuned on training rows only, by name. */
  readonly operatingPoints?: Readonly<Record<string, OperatingPointResult>>;
  /** The same model at a second threshold chosen on validation to reach `floorBalancedAccuracy` (when requested). */
  readonly floored?: { readonly threshold: number; readonly test: ClassificationMetrics };
}

export type SummaryMetric =
  'accuracy' | 'balancedAccuracy' | 'precision' | 'recall' | 'f1' | 'mcc' | 'rocAuc' | 'prAuc';

export interface EvaluationSummary {
  readonly kind:
    'holdout' | 'grouped-holdout' | 'time-ordered-holdout' | 'stratified-kfold' | 'group-kfold' | 'leave-projects-out';
  readonly backend: BackendName;
  readonly seed: number;
  readonly folds: readonly FoldResult[];
  /** Metrics over all test rows of all folds together (each row judged at its own fold's threshold). */
  readonly pooled: ClassificationMetrics;
  readonly pooledBaseline: ClassificationMetrics;
  /** Pooled metrics per group (e.g. project), when the data set has groups. */
  readonly byGroup?: Readonly<Record<string, GroupMetrics>>;
  /** Pooled metrics at the floored thresholds (when `floorBalancedAccuracy` was given). */
  readonly pooledFloored?: ClassificationMetrics;
  /** Mean and (sample) standard deviation over folds; NaN-valued folds are skipped. */
  readonly mean: Readonly<Record<SummaryMetric, number>>;
  readonly std: Readonly<Record<SummaryMetric, number>>;
  readonly durationMs: number;
}

/** Pooled test metrics of one group. */
export interface GroupMetrics {
  readonly rows: number;
  readonly positives: number;
  readonly f1: number;
  readonly balancedAccuracy: number;
  readonly confusion: ConfusionMatrix;
}

export interface EvaluationOptions
  extends
    Omit<TrainModelOptions, 'indexes' | 'family'>,
    Pick<SelectionOptions, 'families' | 'innerFolds' | 'gbdtGrid' | 'onInnerFold'> {
  /**
   * Family per fold: a fixed one, or 'auto' = chosen by nested CV inside each fold's training rows.
   * Default 'network'.
   */
  readonly family?: FamilyChoice;
  /** Called after each fold (progress reporting). */
  readonly onFold?: (result: FoldResult, total: number) => void;
  /**
   * Also report each model at a second operating point: the best-F1 threshold among those reaching
   * this balanced accuracy on the validation part (never the test part). Default: none.
   */
  readonly floorBalancedAccuracy?: number;
  /**
   * Further operating points of every fold's model: each threshold is tuned by its own objective on the
   * out-of-fold predictions of nested selection (else the validation part), never on the test rows.
   */
  readonly operatingPoints?: readonly OperatingPoint[];
  /**
   * With family 'auto': calibrate each operating point's balanced-accuracy floor inside the training
   * rows (nested once more, see `calibrateFloors`), so that it is reached on unseen rows rather than
   * on the out-of-fold rows of models trained on fewer rows. Default false.
   */
  readonly calibrateFloors?: boolean;
}

/** A named threshold objective, optionally among thresholds reaching a balanced accuracy. */
export interface OperatingPoint {
  readonly name: string;
  readonly objective: ThresholdObjective;
  readonly minBalancedAccuracy?: number;
}

export interface OperatingPointResult {
  readonly threshold: number;
  /** The floor applied to the tuning rows when calibrated (`calibrateFloors`), instead of `minBalancedAccuracy`. */
  readonly tunedFloor?: number;
  /** Whether the tuning rows reached the floor at this threshold. */
  readonly constraintMet: boolean;
  readonly test: ClassificationMetrics;
  /**
   * For a point with a balanced-accuracy floor: the same objective with the threshold picked on the TEST rows
   * themselves (the best F1 among grid thresholds whose test BA reaches the floor). Never a result: it is the
   * most any threshold could give this model's ranking of these rows, an upper bound for `test`.
   */
  readonly ceiling?: {
    readonly threshold: number;
    readonly constraintMet: boolean;
    readonly test: ClassificationMetrics;
  };
}
