import type { GbdtOptions } from './gbdt/gbdt-options';
import type { ModelFamily } from './model-family';
import { groupKFold, stratifiedKFold, timeSeriesFolds, type Split } from './split';
import { trainFlakinessModel, type TrainModelOptions } from './train-model';
import type { Dataset, Label } from './types';

/** Predictions of rows, each from a model that never trained on it; `rows` are dataset row indexes. */
export interface OutOfFoldScores {
  readonly rows: readonly number[];
  readonly labels: readonly Label[];
  readonly scores: Float32Array;
}

/**
 * Inner folds of the given training rows: forward-chaining by time when the data set has an order,
 * by whole groups when asked (and groups exist), else stratified. Splits hold dataset row indexes.
 */
export function innerSplits(
  dataset: Dataset,
  indexes: readonly number[],
  folds: number,
  seed: number,
  grouped: boolean,
): Split[] {
  if (dataset.order !== undefined) return timeSeriesFolds(dataset.order, { folds, indexes });
  if (grouped && dataset.groups !== undefined)
    return groupKFold(dataset.labels, dataset.groups, { folds, seed, indexes });
  const local = stratifiedKFold(
    indexes.map((i) => dataset.labels[i]),
    { folds, seed },
  );
  return local.map((split) => ({
    train: split.train.map((k) => indexes[k]),
    test: split.test.map((k) => indexes[k]),
  }));
}

/** The rows tested in some split, ascending (forward-chaining folds never test the earliest block). */
export function coveredRows(splits: readonly Split[]): number[] {
  return [...new Set(splits.flatMap((split) => split.test))].sort((a, b) => a - b);
}

/**
 * Trains `family` on each split's training rows and predicts its test rows: the out-of-fold
 * scores of the covered rows, in ascending row order.
 */
export async function outOfFoldScores(
  dataset: Dataset,
  splits: readonly Split[],
  model: { readonly family: ModelFamily; readonly gbdt?: GbdtOptions },
  options: Omit<TrainModelOptions, 'family' | 'gbdt' | 'indexes' | 'threshold'>,
  onFold?: (fold: number, folds: number) => void,
): Promise<OutOfFoldScores> {
  const byRow = new Map<number, number>();
  for (const [fold, split] of splits.entries()) {
    const trained = await trainFlakinessModel(dataset, {
      ...options,
      family: model.family,
      gbdt: model.gbdt,
      indexes: split.train,
      onEpoch: undefined,
    });
    const history = dataset.historyValues;
    const probabilities = trained.model.predictProbabilities(
      split.test.map((i) => dataset.features[i]),
      { historyValues: history === undefined ? undefined : split.test.map((i) => history[i]) },
    );
    trained.model.dispose();
    split.test.forEach((row, k) => byRow.set(row, probabilities[k]));
    onFold?.(fold + 1, splits.length);
  }
  const rows = coveredRows(splits);
  return {
    rows,
    labels: rows.map((row) => dataset.labels[row]),
    scores: Float32Array.from(rows, (row) => byRow.get(row)!),
  };
}
