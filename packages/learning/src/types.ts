import type { HistoryKeySpec, ResolvedHistoryKeySpec } from './history-encoding';

/** Binary label: 1 = flaky (positive class), 0 = not flaky. */
export type Label = 0 | 1;

/** A tabular data set held in memory, features as numbers, with CSV line numbers for messages. */
export interface Dataset {
  readonly featureNames: readonly string[];
  /** One array per row, in `featureNames` order. */
  readonly features: readonly (readonly number[])[];
  readonly labels: readonly Label[];
  /** Grouping key per row (e.g. project), when a group column was given. */
  readonly groups?: readonly string[];
  /** Names of the one-hot indicator features (`column=value`) built from categorical columns, if any. */
  readonly indicatorFeatures?: readonly string[];
  /** 1-based CSV line number of each row (the header is line 1). */
  readonly rowNumbers: readonly number[];
  /** Where the history key comes from, when the schema named one (see `historyValues`). */
  readonly historyKey?: ResolvedHistoryKeySpec;
  /** Raw value of the history-key column per row; training turns it into the test-history features. */
  readonly historyValues?: readonly string[];
  /** Time of each row (from the schema's `order` column): splits put the past in training, the future in test. */
  readonly order?: readonly number[];
}

/** Declared shape of a CSV data set. */
export interface DatasetSchema {
  /** Name of the 0/1 label column. */
  readonly label: string;
  /** Columns to ignore (identifiers, text, or columns that would leak the label). */
  readonly drop?: readonly string[];
  /** Column holding the group (e.g. project) of each row, used for grouped splits. */
  readonly group?: string;
  /**
   * Categorical columns (may include the group column) one-hot encoded into 0/1 indicator features
   * named `column=value`, appended after the numeric features. Only category names are read, never labels.
   */
  readonly categorical?: readonly string[];
  /** Expected feature columns, in order; when given, the CSV must match exactly. */
  readonly features?: readonly string[];
  /**
   * Text column (e.g. the test name) whose derived key groups rows into a shared history (e.g. the
   * test class): training adds the flake rate and counts of a row's training siblings as features.
   * The column is never a feature itself.
   */
  readonly historyKey?: HistoryKeySpec;
  /** Column of a number or date per row (a run, a time): splits become time-ordered. Never a feature. */
  readonly order?: string;
}

export type WarningCode = 'ERR_DUPLICATE_ROWS' | 'ERR_CONFLICTING_LABELS' | 'ERR_CLASS_IMBALANCE';

/** A data problem that does not stop training unless the caller makes it fatal. */
export interface DatasetWarning {
  readonly code: WarningCode;
  readonly message: string;
  /** Offending CSV line numbers. */
  readonly rows: readonly number[];
}

export interface ClassBalance {
  readonly positives: number;
  readonly negatives: number;
  /** positives / rows. */
  readonly positiveFraction: number;
}

export interface ValidationReport {
  readonly rowCount: number;
  readonly featureCount: number;
  readonly classBalance: ClassBalance;
  readonly warnings: readonly DatasetWarning[];
}

export interface ConfusionMatrix {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

/**
 * Metrics of the positive (flaky) class; NaN where undefined (e.g. precision with no positive predictions is 0 by
 * convention, see metrics.ts).
 */
export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly balancedAccuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly specificity: number;
  readonly f1: number;
  readonly mcc: number;
  /** Area under the ROC curve from scores; NaN when only one class is present. */
  readonly rocAuc: number;
  /** Area under the precision-recall curve (average precision) from scores; NaN without positives. */
  readonly prAuc: number;
  readonly confusion: ConfusionMatrix;
}

/** Backend TensorFlow.js runs on. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Answer of `FlakinessModel.predict`. A fallback answer is marked and carries no probability. */
export type Prediction =
  | { readonly flaky: boolean; readonly probability: number; readonly fallback: false }
  | {
      readonly flaky: boolean;
      readonly probability: null;
      readonly fallback: true;
      readonly reason: 'deadline' | 'error';
      readonly error: string;
    };

/** Payload of the 'prediction' event. */
export interface PredictionEvent {
  readonly latencyMs: number;
  readonly fallback: boolean;
  readonly reason?: 'deadline' | 'error';
}

/** Payload of the 'evaluation' event. */
export interface EvaluationEvent {
  readonly accuracy: number;
  readonly balancedAccuracy: number;
  readonly f1: number;
  readonly precision: number;
  readonly recall: number;
}

/** Events a FlakinessModel emits; telemetry subscribes to these structurally. */
export interface FlakinessModelEvents {
  prediction: [PredictionEvent];
  evaluation: [EvaluationEvent];
}

/** One epoch of training. */
export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss: number;
}

export interface TrainingHistory {
  readonly epochs: readonly EpochRecord[];
  /** Epoch whose weights were restored (lowest validation loss). */
  readonly bestEpoch: number;
  readonly bestValLoss: number;
  readonly stopReason: 'early-stopping' | 'max-epochs';
  /** First epoch at which the training loss had stopped improving (relative change below tolerance), or null. */
  readonly plateauEpoch: number | null;
  readonly durationMs: number;
}
