import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendPreference } from './backend';
import { FlakinessModel, type FlakinessModelOptions } from './flakiness-model';
import { FeatureScaler } from './feature-scaler';
import { HISTORY_FEATURES, HistoryEncoder } from './history-encoding';
import { evaluatePredictions } from './metrics';
import { buildNetwork } from './network';
import { mulberry32 } from './prng';
import { groupedSplit, stratifiedSplit } from './split';
import { tuneThreshold } from './threshold';
import { trainNetwork } from './train-network';
import { resolveTrainingOptions, type TrainingOptions } from './training-options';
import type { BackendName, ClassificationMetrics, Dataset, Label, TrainingHistory } from './types';

export interface TrainModelOptions extends TrainingOptions, FlakinessModelOptions {
  /** Rows to train on (the training part of a split); default all rows. Validation is carved out of these. */
  readonly indexes?: readonly number[];
  /** Carve the validation part by whole groups (needs `dataset.groups`), as a leave-projects-out run should. Default false. */
  readonly groupedValidation?: boolean;
  /** TF.js backend preference. Default 'auto' (tfjs-node, then wasm, then cpu). */
  readonly backend?: BackendPreference;
}

export interface TrainedModel {
  readonly model: FlakinessModel;
  readonly history: TrainingHistory;
  /** Metrics on the validation part at the tuned threshold (optimistic: the threshold was chosen there). */
  readonly validation: ClassificationMetrics;
  readonly backend: BackendName;
  /** Labels and predicted probabilities of the validation part, for choosing other operating points. */
  readonly validationPredictions: { readonly labels: readonly Label[]; readonly probabilities: Float32Array };
}

/**
 * Leak-free training: carves a validation part out of the given training rows first, fits the
 * scaler and class weights on the remaining rows only, trains with early stopping on the
 * validation loss, then tunes the decision threshold on the validation predictions.
 */
export async function trainFlakinessModel(dataset: Dataset, options: TrainModelOptions = {}): Promise<TrainedModel> {
  const resolved = resolveTrainingOptions(options);
  const backend = await selectBackend(options.backend ?? 'auto');
  const indexes = options.indexes ?? dataset.labels.map((_, i) => i);
  const carve = options.groupedValidation && dataset.groups !== undefined
    ? groupedSplit(dataset.labels, dataset.groups, { testFraction: resolved.validationFraction, seed: resolved.seed, indexes })
    : stratifiedSplit(dataset.labels, { testFraction: resolved.validationFraction, seed: resolved.seed, indexes });
  const labelsOf = (part: readonly number[]) => part.map((i) => dataset.labels[i]);

  // Test history: the table is fitted on the rows the network trains on; those rows get out-of-fold
  // values (never their own label), the validation rows get the table's values.
  const { historyKey, historyValues } = dataset;
  const historyEncoder = historyKey === undefined || historyValues === undefined
    ? undefined
    : HistoryEncoder.fit(carve.train.map((i) => historyValues[i]), labelsOf(carve.train), { spec: historyKey, smoothing: resolved.historySmoothing });
  const outOfFold = historyEncoder === undefined
    ? undefined
    : HistoryEncoder.outOfFold(carve.train.map((i) => historyValues![i]), labelsOf(carve.train), { spec: historyKey!, smoothing: resolved.historySmoothing, folds: resolved.historyFolds, seed: resolved.seed });
  const trainRows = carve.train.map((i, k) => (outOfFold === undefined ? dataset.features[i] : [...dataset.features[i], ...outOfFold[k]]));
  const validationRows = carve.test.map((i) => (historyEncoder === undefined ? dataset.features[i] : [...dataset.features[i], ...historyEncoder.encode(historyValues![i])]));
  const scaledNames = historyEncoder === undefined ? dataset.featureNames : [...dataset.featureNames, ...HISTORY_FEATURES];

  const scaler = FeatureScaler.fit(scaledNames, trainRows, { indicators: dataset.indicatorFeatures });
  const random = mulberry32(resolved.seed);
  const network = buildNetwork(scaler.width, resolved.hiddenUnits, random, resolved.ensembleSize);
  let history: TrainingHistory;
  try {
    history = await trainNetwork(
      network,
      { x: scaler.transform(trainRows), labels: labelsOf(carve.train) },
      { x: scaler.transform(validationRows), labels: labelsOf(carve.test) },
      resolved,
      random,
    );
  } catch (error) {
    network.dispose();
    throw error;
  }
  const validationX = scaler.transform(validationRows);
  const validationProbabilities = tf.tidy(() => (network.predict(tf.tensor2d(validationX, [carve.test.length, scaler.width])) as tf.Tensor).dataSync() as Float32Array);
  const { threshold } = tuneThreshold(labelsOf(carve.test), validationProbabilities, resolved.thresholdObjective, { minBalancedAccuracy: resolved.thresholdMinBalancedAccuracy });
  const validation = evaluatePredictions(labelsOf(carve.test), validationProbabilities, threshold);
  const { onEpoch: _onEpoch, ...recordedOptions } = resolved;
  const model = new FlakinessModel(
    network,
    {
      formatVersion: 1,
      featureNames: [...dataset.featureNames],
      scaler: scaler.parameters,
      threshold,
      ...(historyEncoder === undefined ? {} : { history: historyEncoder.table }),
      training: {
        backend,
        trainedAt: new Date().toISOString(),
        options: recordedOptions,
        trainRows: carve.train.length,
        validationRows: carve.test.length,
        bestEpoch: history.bestEpoch,
        stopReason: history.stopReason,
        validationF1: validation.f1,
      },
    },
    options,
  );
  return { model, history, validation, backend, validationPredictions: { labels: labelsOf(carve.test), probabilities: validationProbabilities } };
}
