import { InvalidOptionsError } from '@agentlink/resilience';
import {
  ClassImbalanceError,
  SingleClassError,
  ConflictingLabelsError,
  DuplicateRowsError,
  FeatureCountError,
  InvalidLabelError,
  NonFiniteFeatureError,
  type DatasetError,
} from './errors';
import type { Dataset, DatasetWarning, ValidationReport, WarningCode } from './types';

export interface ValidateOptions {
  /** Warnings to raise as errors instead: a list of codes or 'all'. Default: none. */
  readonly fatal?: readonly WarningCode[] | 'all';
  /** Minority-class fraction under which ERR_CLASS_IMBALANCE is reported. Default 0.05. */
  readonly minMinorityFraction?: number;
}

function rowShapeErrors(dataset: Dataset): void {
  const width = dataset.featureNames.length;
  const wrong = dataset.features.flatMap((row, i) => (row.length === width ? [] : [dataset.rowNumbers[i]]));
  if (wrong.length > 0 || dataset.labels.length !== dataset.features.length) {
    throw new FeatureCountError(
      width,
      wrong,
      dataset.labels.length === dataset.features.length
        ? ''
        : ` and one label per row (${dataset.labels.length} labels for ${dataset.features.length} rows)`,
    );
  }
  const badLabels = dataset.labels.flatMap((label, i) => (label === 0 || label === 1 ? [] : [dataset.rowNumbers[i]]));
  if (badLabels.length > 0) throw new InvalidLabelError('label', badLabels);
  const nonFiniteRows: number[] = [];
  const nonFiniteColumns = new Set<string>();
  dataset.features.forEach((row, i) => {
    let bad = false;
    row.forEach((value, j) => {
      if (!Number.isFinite(value)) {
        bad = true;
        nonFiniteColumns.add(dataset.featureNames[j]);
      }
    });
    if (bad) nonFiniteRows.push(dataset.rowNumbers[i]);
  });
  if (nonFiniteRows.length > 0) throw new NonFiniteFeatureError(nonFiniteRows, [...nonFiniteColumns]);
}

function duplicateAndConflictRows(dataset: Dataset): { duplicates: number[]; conflicts: number[] } {
  const seenRows = new Set<string>();
  const byFeatures = new Map<string, { labels: Set<number>; rows: number[] }>();
  const duplicates: number[] = [];
  dataset.features.forEach((row, i) => {
    const featureKey = row.join(',');
    const rowKey = `${featureKey}|${dataset.labels[i]}`;
    if (seenRows.has(rowKey)) duplicates.push(dataset.rowNumbers[i]);
    seenRows.add(rowKey);
    const entry = byFeatures.get(featureKey) ?? { labels: new Set<number>(), rows: [] };
    entry.labels.add(dataset.labels[i]);
    entry.rows.push(dataset.rowNumbers[i]);
    byFeatures.set(featureKey, entry);
  });
  const conflicts = [...byFeatures.values()].filter((entry) => entry.labels.size > 1).flatMap((entry) => entry.rows);
  return { duplicates, conflicts: conflicts.sort((a, b) => a - b) };
}

/**
 * Checks feature count, label values, NaN/Infinity (always errors) and exact duplicates,
 * conflicting labels and class balance (warnings, fatal on request). Errors name the rows.
 */
export function validateDataset(dataset: Dataset, options: ValidateOptions = {}): ValidationReport {
  const minFraction = options.minMinorityFraction ?? 0.05;
  if (!(minFraction >= 0 && minFraction <= 0.5))
    throw new InvalidOptionsError(`minMinorityFraction must be within [0, 0.5], got ${minFraction}`);
  rowShapeErrors(dataset);

  const problems: DatasetError[] = [];
  const { duplicates, conflicts } = duplicateAndConflictRows(dataset);
  if (duplicates.length > 0) problems.push(new DuplicateRowsError(duplicates));
  if (conflicts.length > 0) problems.push(new ConflictingLabelsError(conflicts));
  const positives = dataset.labels.filter((label) => label === 1).length;
  const negatives = dataset.labels.length - positives;
  if (dataset.labels.length > 0 && (positives === 0 || negatives === 0))
    throw new SingleClassError(positives === 0 ? 0 : 1, 'data set');
  const minority = Math.min(positives, negatives);
  if (dataset.labels.length === 0 || minority / dataset.labels.length < minFraction) {
    problems.push(new ClassImbalanceError(positives, negatives, minFraction));
  }

  const fatal = options.fatal === 'all' ? undefined : new Set(options.fatal ?? []);
  const firstFatal = problems.find((problem) => fatal === undefined || fatal.has(problem.code as WarningCode));
  if (firstFatal !== undefined) throw firstFatal;

  const warnings: DatasetWarning[] = problems.map((problem) => ({
    code: problem.code as WarningCode,
    message: problem.message,
    rows: problem.rows,
  }));
  return {
    rowCount: dataset.labels.length,
    featureCount: dataset.featureNames.length,
    classBalance: {
      positives,
      negatives,
      positiveFraction: dataset.labels.length === 0 ? 0 : positives / dataset.labels.length,
    },
    warnings,
  };
}
