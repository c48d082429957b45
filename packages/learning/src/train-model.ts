import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendPreference } from './backend';
import { SingleClassError } from './errors';
import { FlakinessModel, type FlakinessModelOptions } from './flakiness-model';
import { FeatureScaler } from './feature-scaler';
import { trainGbdt, type GbdtFit } from './gbdt/boosting';
import { resolveGbdtOptions, type GbdtOptions } from './gbdt/gbdt-options';
import { HISTORY_FEATURES, HistoryEncoder } from './history-encoding';
import { evaluatePredictions } from './metrics';
import { blend, usesNetwork, usesTrees, type ModelFamily } from './model-family';
import { buildNetwork } from './network';
import { mulberry32 } from './prng';
import { groupedSplit, orderedSplit, stratifiedSplit } from './split';
import { thresholdConstraint, tuneThreshold } from './threshold';
import { trainNetwork } from './train-network';
import { DEFAULT_TRAINING_OPTIONS, resolveTrainingOptions, type TrainingOptions } from './training-options';
import type { BackendName, ClassificationMetrics, Dataset, Label, TrainingHistory } from './types';

export interface TrainModelOptions extends TrainingOptions, FlakinessModelOptions {
  /** Rows to train on (the training part of a split); default all rows. Validation is carved out of these. */
  readonly indexes?: readonly number[];
  /**
   * Carve the validation part by whole groups (needs `dataset.groups`), as a leave-projects-out run should. Default
   * false.
   */
  readonly groupedValidation?: boolean;
  /** TF.js backend preference. Default 'auto' (tfjs-node, then wasm, then cpu). */
  readonly backend?: BackendPreference;
  /** What to train: the network, boosted trees, or both averaged. Default 'network'. */
  readonly family?: ModelFamily;
  /**
   * Options of the boosted trees ('gbdt' and 'ensemble'); seed and class weighting default to the training options'.
   */
  readonly gbdt?: GbdtOptions;
  /** Share of the network in the ensemble average, in [0, 1]. Default 0.5. */
  readonly networkWeight?: number;
  /** Use this decision threshold instead of tuning one on the validation part (e.g. one chosen by inner CV). */
  readonly threshold?: number;
  /**
   * The random forest of `gbdt.mode` 'forest' or 'both' also learns from the validation part (it has no early
   * stopping), whose metrics are then optimistic; for nested selection, where thresholds come from out-of-fold
   * rows. Validation rows carry table-encoded history fitted without them, so this adds no leak. Default false.
   */
  readonly forestOnValidationRows?: boolean;
}

export interface TrainedModel {
  readonly model: FlakinessModel;
  /** The network's epochs, or the boosting rounds (as epochs) of a trees-only model. */
  readonly history: TrainingHistory;
  /** Metrics on the validation part at the tuned threshold (optimistic: the threshold was chosen there). */
  readonly validation: ClassificationMetrics;
  readonly backend: BackendName;
  readonly family: ModelFamily;
  /** Labels and predicted probabilities of the validation part, for choosing other operating points. */
  readonly validationPredictions: { readonly labels: readonly Label[]; readonly probabilities: Float32Array };
}

/** Only the documented training options are recorded in a saved model (never row indexes or callbacks). */
function recordable(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(DEFAULT_TRAINING_OPTIONS).map((key) => [key, options[key]]));
}

function roundsAsHistory(fit: GbdtFit): TrainingHistory {
  const epochs = fit.rounds.map((round) => ({ epoch: round.iteration, loss: round.loss, valLoss: round.valLoss }));
  return {
    epochs,
    bestEpoch: fit.bestIteration,
    bestValLoss: epochs[fit.bestIteration - 1]?.valLoss ?? Number.NaN,
    stopReason: fit.stopReason === 'early-stopping' ? 'early-stopping' : 'max-epochs',
    plateauEpoch: null,
    durationMs: fit.durationMs,
  };
}

/**
 * Leak-free training: carves a validation part out of the given training rows first, fits the
 * scaler, class weights and test-history table on the remaining rows only, trains the family's
 * network and/or trees with early stopping on the validation loss, then tunes the decision
 * threshold on the validation predictions (unless a threshold is given).
 */
export async function trainFlakinessModel(dataset: Dataset, options: TrainModelOptions = {}): Promise<TrainedModel> {
  const resolved = resolveTrainingOptions(options);
  const family = options.family ?? 'network';
  const gbdtOptions = resolveGbdtOptions({
    seed: resolved.seed,
    classWeighting: resolved.classWeighting,
    ...options.gbdt,
    ...(options.forestOnValidationRows === true ? { forestOnValidation: true } : {}),
  });
  const backend = await selectBackend(options.backend ?? 'auto');
  const indexes = options.indexes ?? dataset.labels.map((_, i) => i);
  // The validation part: the latest rows of a time-ordered data set, whole groups, or stratified.
  const carve =
    dataset.order !== undefined
      ? orderedSplit(dataset.order, { testFraction: resolved.validationFraction, indexes })
      : options.groupedValidation && dataset.groups !== undefined
        ? groupedSplit(dataset.labels, dataset.groups, {
            testFraction: resolved.validationFraction,
            seed: resolved.seed,
            indexes,
          })
        : stratifiedSplit(dataset.labels, { testFraction: resolved.validationFraction, seed: resolved.seed, indexes });
  const labelsOf = (part: readonly number[]) => part.map((i) => dataset.labels[i]);
  const trainPositives = carve.train.filter((i) => dataset.labels[i] === 1).length;
  if (trainPositives === 0 || trainPositives === carve.train.length)
    throw new SingleClassError(trainPositives === 0 ? 0 : 1, 'training');

  // Test history: the table is fitted on the rows the model trains on; those rows get out-of-fold
  // values (never their own label), the validation rows get the table's values.
  const { historyKey, historyValues } = dataset;
  const smoothing = resolved.historySmoothing;
  const historyEncoder =
    historyKey === undefined || historyValues === undefined
      ? undefined
      : HistoryEncoder.fit(
          carve.train.map((i) => historyValues[i]),
          labelsOf(carve.train),
          { spec: historyKey, smoothing },
        );
  const outOfFold =
    historyEncoder === undefined
      ? undefined
      : HistoryEncoder.outOfFold(
          carve.train.map((i) => historyValues![i]),
          labelsOf(carve.train),
          { spec: historyKey!, smoothing, folds: resolved.historyFolds, seed: resolved.seed },
        );
  const trainRows = carve.train.map((i, k) =>
    outOfFold === undefined ? dataset.features[i] : [...dataset.features[i], ...outOfFold[k]],
  );
  const validationRows = carve.test.map((i) =>
    historyEncoder === undefined
      ? dataset.features[i]
      : [...dataset.features[i], ...historyEncoder.encode(historyValues![i])],
  );
  const scaledNames =
    historyEncoder === undefined ? dataset.featureNames : [...dataset.featureNames, ...HISTORY_FEATURES];
  const scaler = FeatureScaler.fit(scaledNames, trainRows, { indicators: dataset.indicatorFeatures });

  let network: tf.LayersModel | undefined;
  let history: TrainingHistory | undefined;
  let networkProbabilities: Float32Array | undefined;
  if (usesNetwork(family)) {
    const random = mulberry32(resolved.seed);
    network = buildNetwork(scaler.width, resolved.hiddenUnits, random, resolved.ensembleSize);
    const validationX = scaler.transform(validationRows);
    try {
      history = await trainNetwork(
        network,
        { x: scaler.transform(trainRows), labels: labelsOf(carve.train) },
        { x: validationX, labels: labelsOf(carve.test) },
        resolved,
        random,
      );
    } catch (error) {
      network.dispose();
      throw error;
    }
    networkProbabilities = tf.tidy(
      () =>
        (
          network!.predict(tf.tensor2d(validationX, [carve.test.length, scaler.width])) as tf.Tensor
        ).dataSync() as Float32Array,
    );
  }
  let fit: GbdtFit | undefined;
  if (usesTrees(family)) {
    fit = await trainGbdt(
      { rows: trainRows, labels: labelsOf(carve.train) },
      { rows: validationRows, labels: labelsOf(carve.test) },
      gbdtOptions,
      (round) => resolved.onEpoch?.({ epoch: round.iteration, loss: round.loss, valLoss: round.valLoss }),
    );
  }
  const networkWeight = options.networkWeight ?? 0.5;
  const treeProbabilities = fit?.model.probabilities(validationRows);
  const validationProbabilities =
    networkProbabilities === undefined
      ? treeProbabilities!
      : treeProbabilities === undefined
        ? networkProbabilities
        : blend(networkProbabilities, treeProbabilities, networkWeight);
  const threshold =
    options.threshold ??
    tuneThreshold(
      labelsOf(carve.test),
      validationProbabilities,
      resolved.thresholdObjective,
      thresholdConstraint(resolved),
    ).threshold;
  const validation = evaluatePredictions(labelsOf(carve.test), validationProbabilities, threshold);
  const trainingHistory = history ?? roundsAsHistory(fit!);
  const model = new FlakinessModel(
    network,
    {
      formatVersion: 1,
      family,
      featureNames: [...dataset.featureNames],
      scaler: scaler.parameters,
      threshold,
      ...(fit === undefined ? {} : { gbdt: fit.model.parameters }),
      ...(family === 'ensemble' ? { networkWeight } : {}),
      ...(historyEncoder === undefined ? {} : { history: historyEncoder.table }),
      training: {
        backend,
        trainedAt: new Date().toISOString(),
        options: recordable(resolved),
        ...(fit === undefined ? {} : { gbdtOptions: gbdtOptions, boostingRounds: fit.bestIteration }),
        trainRows: carve.train.length,
        validationRows: carve.test.length,
        bestEpoch: trainingHistory.bestEpoch,
        stopReason: trainingHistory.stopReason,
        validationF1: validation.f1,
      },
    },
    options,
  );
  return {
    model,
    history: trainingHistory,
    validation,
    backend,
    family,
    validationPredictions: { labels: labelsOf(carve.test), probabilities: validationProbabilities },
  };
}
