import { describe, expect, it } from '@jest/globals';
import { AgentlinkError } from '@agentlink/resilience';
import * as errors from '../src/errors';

const cases: [Error & { code: string; retryable: boolean }, string][] = [
  [new errors.DataFileError('/d.csv', 'ENOENT'), 'ERR_DATA_FILE'],
  [new errors.CsvFormatError('x'), 'ERR_CSV_FORMAT'],
  [new errors.MissingColumnError('c', ['a']), 'ERR_MISSING_COLUMN'],
  [new errors.FeatureCountError(2, [3]), 'ERR_FEATURE_COUNT'],
  [new errors.FeatureTypeError([3], ['a']), 'ERR_FEATURE_TYPE'],
  [new errors.NonFiniteFeatureError([3], ['a']), 'ERR_NON_FINITE_FEATURE'],
  [new errors.InvalidLabelError('l', [3]), 'ERR_INVALID_LABEL'],
  [new errors.DuplicateRowsError([3]), 'ERR_DUPLICATE_ROWS'],
  [new errors.ConflictingLabelsError([3]), 'ERR_CONFLICTING_LABELS'],
  [new errors.ClassImbalanceError(0, 0, 0.05), 'ERR_CLASS_IMBALANCE'],
  [new errors.DatasetTooSmallError('x'), 'ERR_DATASET_TOO_SMALL'],
  [new errors.TrainingDivergedError('diverging', 3, 9), 'ERR_TRAINING_DIVERGED'],
  [new errors.ModelFormatError('/d', 'x'), 'ERR_MODEL_FORMAT'],
  [new errors.FeatureMismatchError('x'), 'ERR_FEATURE_MISMATCH'],
  [new errors.ModelDisposedError(), 'ERR_MODEL_DISPOSED'],
  [new errors.ReportPartError(2, 1), 'ERR_REPORT_PART'],
];

describe('typed errors', () => {
  it.each(cases)('%s has a stable code, its class name and is not retryable', (error, code) => {
    expect(error).toBeInstanceOf(AgentlinkError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
    expect(error.retryable).toBe(false);
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('lists at most ten rows in a message but keeps all of them', () => {
    const rows = Array.from({ length: 25 }, (_, i) => i + 2);
    const error = new errors.DuplicateRowsError(rows);
    expect(error.message).toContain('and 15 more');
    expect(error.rows).toHaveLength(25);
  });
});
