import { AgentlinkError } from '@agentlink/resilience';

/** Caps how many row numbers an error message lists; the `rows` field always holds them all. */
const MAX_ROWS_IN_MESSAGE = 10;

function listRows(rows: readonly number[]): string {
  const shown = rows.slice(0, MAX_ROWS_IN_MESSAGE).join(', ');
  return rows.length > MAX_ROWS_IN_MESSAGE ? `${shown} and ${rows.length - MAX_ROWS_IN_MESSAGE} more` : shown;
}

/** Base of the data-validation errors: each names the offending CSV rows (1-based line numbers). */
export abstract class DatasetError extends AgentlinkError {
  constructor(
    code: string,
    message: string,
    readonly rows: readonly number[],
  ) {
    super(code, message, { retryable: false });
  }
}

/** A data file cannot be read (missing, unreadable, or a `.gz` that is not gzip). */
export class DataFileError extends AgentlinkError {
  constructor(
    readonly file: string,
    detail: string,
    cause?: unknown,
  ) {
    super(
      'ERR_DATA_FILE',
      `cannot read data file "${file}" (${detail}); give an existing CSV or .csv.gz (agentlink-learn: --data <csv>)`,
      { retryable: false, cause },
    );
  }
}

/** The CSV text itself is malformed (empty, unterminated quote). */
export class CsvFormatError extends DatasetError {
  constructor(detail: string, rows: readonly number[] = []) {
    super('ERR_CSV_FORMAT', `CSV is malformed: ${detail}; fix the file and load it again`, rows);
  }
}

/** A column named by the options or the schema is absent from the header. */
export class MissingColumnError extends DatasetError {
  constructor(
    readonly column: string,
    readonly available: readonly string[],
  ) {
    super(
      'ERR_MISSING_COLUMN',
      `column "${column}" is not in the CSV header (${available.join(', ')});` +
        ' check --label/--drop/--group or the schema',
      [1],
    );
  }
}

/** Rows with the wrong number of cells, or a feature set that differs from the declared schema. */
export class FeatureCountError extends DatasetError {
  constructor(
    readonly expected: number,
    rows: readonly number[],
    detail = '',
  ) {
    super(
      'ERR_FEATURE_COUNT',
      `expected ${expected} features${detail}; offending rows: ${listRows(rows)}; repair or remove them`,
      rows,
    );
  }
}

/** Feature cells that are not numbers (text or empty). */
export class FeatureTypeError extends DatasetError {
  constructor(
    rows: readonly number[],
    readonly columns: readonly string[],
  ) {
    super(
      'ERR_FEATURE_TYPE',
      `non-numeric feature values in column(s) ${columns.join(', ')} at rows ${listRows(rows)};` +
        ' every feature must be a number (use --drop to ignore text columns)',
      rows,
    );
  }
}

/** Feature cells that are NaN or ±Infinity. */
export class NonFiniteFeatureError extends DatasetError {
  constructor(
    rows: readonly number[],
    readonly columns: readonly string[],
  ) {
    super(
      'ERR_NON_FINITE_FEATURE',
      `NaN or infinite feature values in column(s) ${columns.join(', ')} at rows ${listRows(rows)};` +
        ' impute or remove them before training',
      rows,
    );
  }
}

/** Label cells that are not 0/1 (or true/false). */
export class InvalidLabelError extends DatasetError {
  constructor(
    readonly column: string,
    rows: readonly number[],
  ) {
    super(
      'ERR_INVALID_LABEL',
      `label column "${column}" must hold 0/1 or true/false; bad values at rows ${listRows(rows)}`,
      rows,
    );
  }
}

/** Rows whose features and label are exactly equal to an earlier row (warning unless made fatal). */
export class DuplicateRowsError extends DatasetError {
  constructor(rows: readonly number[]) {
    super(
      'ERR_DUPLICATE_ROWS',
      `${rows.length} row(s) exactly duplicate an earlier row: ${listRows(rows)};` +
        ' deduplicate, or accept them as a warning',
      rows,
    );
  }
}

/** Rows with identical features but different labels (warning unless made fatal). */
export class ConflictingLabelsError extends DatasetError {
  constructor(rows: readonly number[]) {
    super(
      'ERR_CONFLICTING_LABELS',
      `${rows.length} row(s) share identical features with a row of the other label: ${listRows(rows)};` +
        ' no model can separate them',
      rows,
    );
  }
}

/** The minority class is rarer than the configured floor, or absent (warning unless made fatal). */
export class ClassImbalanceError extends DatasetError {
  constructor(
    readonly positives: number,
    readonly negatives: number,
    readonly minFraction: number,
  ) {
    const fraction = positives + negatives === 0 ? 0 : Math.min(positives, negatives) / (positives + negatives);
    super(
      'ERR_CLASS_IMBALANCE',
      `minority class is ${(fraction * 100).toFixed(2)} % of rows (${positives} positive, ${negatives} negative),` +
        ` below ${(minFraction * 100).toFixed(2)} %;` +
        ' use class weighting and judge by F1/balanced accuracy, not accuracy',
      [],
    );
  }
}

/** A split or fold cannot be built: too few rows of a class or too few groups. */
export class DatasetTooSmallError extends AgentlinkError {
  constructor(detail: string) {
    super('ERR_DATASET_TOO_SMALL', `dataset too small: ${detail}; use fewer folds or more data`, { retryable: false });
  }
}

/** Training stopped because the loss became NaN/Infinity or kept growing. */
export class TrainingDivergedError extends AgentlinkError {
  constructor(
    readonly reason: 'non-finite' | 'diverging',
    readonly epoch: number,
    readonly loss: number,
  ) {
    super(
      'ERR_TRAINING_DIVERGED',
      reason === 'non-finite'
        ? `training loss became ${loss} at epoch ${epoch};` +
            ' check the inputs for NaN/Infinity and lower the learning rate'
        : `training loss diverged to ${loss} at epoch ${epoch}; lower the learning rate`,
      { retryable: false },
    );
  }
}

// Once `FlakinessModel.load` has selected a TF.js backend, missing or mismatched files are the only cause left.
const MODEL_FILES_REMEDY =
  'give the directory that FlakinessModel.save (agentlink-learn train --out) wrote, ' +
  'with model.json, weights.bin and flakiness-model.json from the same save';

/** A saved model directory is missing files or holds data of the wrong shape. */
export class ModelFormatError extends AgentlinkError {
  constructor(
    readonly directory: string,
    detail: string,
    cause?: unknown,
  ) {
    super('ERR_MODEL_FORMAT', `model in "${directory}" cannot be loaded: ${detail}; ${MODEL_FILES_REMEDY}`, {
      retryable: false,
      cause,
    });
  }
}

/** A feature vector given to the model does not match the features it was trained on. */
export class FeatureMismatchError extends AgentlinkError {
  constructor(detail: string) {
    super('ERR_FEATURE_MISMATCH', `input does not match the model's features: ${detail}`, { retryable: false });
  }
}

/** The model was used after `dispose()`. */
export class ModelDisposedError extends AgentlinkError {
  constructor() {
    super('ERR_MODEL_DISPOSED', 'the model was disposed; load or train a new one', { retryable: false });
  }
}

/** An explicitly requested TF.js backend cannot be used (e.g. 'tensorflow' without @tensorflow/tfjs-node). */
export class BackendUnavailableError extends AgentlinkError {
  constructor(
    readonly backend: string,
    detail: string,
    cause?: unknown,
  ) {
    super('ERR_BACKEND_UNAVAILABLE', `backend "${backend}" is not available: ${detail}`, { retryable: false, cause });
  }
}

/** The labels (of the data set, or of the training rows of a split) hold only one class: nothing to learn. */
export class SingleClassError extends DatasetError {
  constructor(
    readonly label: 0 | 1,
    detail: string,
  ) {
    super(
      'ERR_SINGLE_CLASS',
      `every ${detail} row has label ${label}; a classifier needs both classes (check the label column and the split)`,
      [],
    );
  }
}

/** A child process of a parallel report (`--jobs`) failed; its stderr lines were logged with the set's prefix. */
export class ReportPartError extends AgentlinkError {
  constructor(
    readonly set: number,
    readonly exitCode: number,
  ) {
    super('ERR_REPORT_PART', `the report process of feature set ${set} exited with code ${exitCode}`, {
      retryable: false,
    });
  }
}
