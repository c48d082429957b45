import { EventEmitter } from 'node:events';
import { DeadlineExceededError, InvalidOptionsError, withDeadline } from '@agentlink/resilience';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendPreference } from './backend';
import { FeatureMismatchError, ModelDisposedError, ModelFormatError } from './errors';
import { FeatureScaler } from './feature-scaler';
import { GradientBoostedTrees } from './gbdt/gbdt-model';
import { HISTORY_FEATURES, HistoryEncoder, type ResolvedHistoryKeySpec } from './history-encoding';
import { evaluatePredictions } from './metrics';
import { blend, usesNetwork, usesTrees, type ModelFamily } from './model-family';
import { loadModelFiles, saveModelFiles, type ModelMetadata } from './model-files';
import type { ClassificationMetrics, FlakinessModelEvents, Label, Prediction } from './types';

/** Options of `FlakinessModel.predict`. */
export interface PredictOptions {
  /** Performance budget in ms; past it the answer is the marked fallback. Default: the model's `deadlineMs` (100). */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** Raw value of the model's history-key column for this row (e.g. the test name); absent = no known history. */
  readonly historyValue?: string;
}

/** Options of batch prediction and evaluation. */
export interface BatchOptions {
  /** Raw history-key value per row (models trained with a history key); absent = no known history. */
  readonly historyValues?: readonly (string | undefined)[];
}

/** Options of a FlakinessModel. */
export interface FlakinessModelOptions {
  /** Default prediction budget in ms. Default 100. */
  readonly deadlineMs?: number;
  /** What a fallback answer says about flakiness. Default false (treat as not flaky). */
  readonly fallbackFlaky?: boolean;
  /** `load` only: TF.js backend to select before rebuilding the network. Default 'auto' (as training). */
  readonly backend?: BackendPreference;
}

/** A feature vector in the model's feature order, or an object keyed by feature name. */
export type FeatureInput = readonly number[] | Readonly<Record<string, number>>;

/**
 * A trained flaky-test classifier: a dense network (on scaled features), boosted trees (on raw
 * features) or the average of both, with the test-history table and the decision threshold.
 * Emits 'prediction' { latencyMs, fallback, reason? } and 'evaluation' { accuracy, balancedAccuracy, f1, precision,
 * recall }.
 */
export class FlakinessModel extends EventEmitter<FlakinessModelEvents> {
  readonly deadlineMs: number;
  readonly fallbackFlaky: boolean;
  private readonly scaler: FeatureScaler;
  private readonly history: HistoryEncoder | undefined;
  private readonly trees: GradientBoostedTrees | undefined;
  private disposed = false;

  constructor(
    /** The TF.js network of the 'network' and 'ensemble' families (undefined for 'gbdt'). */
    readonly network: tf.LayersModel | undefined,
    readonly metadata: ModelMetadata,
    options: FlakinessModelOptions = {},
  ) {
    super();
    this.deadlineMs = options.deadlineMs ?? 100;
    if (!(this.deadlineMs > 0 && Number.isFinite(this.deadlineMs)))
      throw new InvalidOptionsError(`deadlineMs must be a positive number, got ${this.deadlineMs}`);
    this.fallbackFlaky = options.fallbackFlaky ?? false;
    if (!(metadata.threshold >= 0 && metadata.threshold <= 1))
      throw new InvalidOptionsError(`threshold must be within [0, 1], got ${metadata.threshold}`);
    this.scaler = FeatureScaler.fromParameters(metadata.scaler);
    this.history = metadata.history === undefined ? undefined : HistoryEncoder.fromTable(metadata.history);
    const expectedWidth = metadata.featureNames.length + (this.history === undefined ? 0 : HISTORY_FEATURES.length);
    if (this.scaler.width !== expectedWidth)
      throw new FeatureMismatchError(
        `the scaler has ${this.scaler.width} columns, the features and history need ${expectedWidth}`,
      );
    const family = this.family;
    if (usesNetwork(family) !== (network !== undefined))
      throw new InvalidOptionsError(
        `a ${family} model ${network === undefined ? 'needs' : 'has no use for'} a network`,
      );
    if (usesTrees(family) && metadata.gbdt === undefined)
      throw new InvalidOptionsError(`a ${family} model needs boosted trees (metadata.gbdt)`);
    this.trees = usesTrees(family) ? GradientBoostedTrees.parse(metadata.gbdt, 'metadata.gbdt') : undefined;
    if (this.trees !== undefined && this.trees.parameters.featureCount !== expectedWidth) {
      throw new FeatureMismatchError(
        `the trees take ${this.trees.parameters.featureCount} features,` +
          ` the features and history give ${expectedWidth}`,
      );
    }
  }

  /** What predicts: 'network', 'gbdt' or 'ensemble'. */
  get family(): ModelFamily {
    return this.metadata.family ?? 'network';
  }

  /** Where the model's test-history key comes from (undefined: trained without history). */
  get historyKey(): ResolvedHistoryKeySpec | undefined {
    return this.history?.spec;
  }

  get featureNames(): readonly string[] {
    return this.metadata.featureNames;
  }

  /** One-hot indicator features (`column=value`) among `featureNames`; absent from a keyed input they count as 0. */
  get indicatorFeatures(): readonly string[] {
    return this.scaler.indicatorNames;
  }

  get threshold(): number {
    return this.metadata.threshold;
  }

  /** Loads a model saved with `save` (model.json, weights.bin, flakiness-model.json). */
  static async load(directory: string, options: FlakinessModelOptions = {}): Promise<FlakinessModel> {
    // A fresh process has no backend yet; TF.js cannot rebuild the network before one is ready.
    await selectBackend(options.backend ?? 'auto');
    const { network, metadata } = await loadModelFiles(directory);
    try {
      return new FlakinessModel(network, metadata, options);
    } catch (error) {
      network?.dispose();
      throw new ModelFormatError(directory, (error as Error).message, error);
    }
  }

  /** Saves the network and everything needed to reproduce its predictions to `directory`. */
  async save(directory: string): Promise<void> {
    this.assertUsable();
    await saveModelFiles(directory, this.network, this.metadata);
  }

  private assertUsable(): void {
    if (this.disposed) throw new ModelDisposedError();
  }

  private toRow(input: FeatureInput): number[] {
    if (Array.isArray(input)) return [...(input as readonly number[])];
    const record = input as Readonly<Record<string, number>>;
    const indicators = new Set(this.indicatorFeatures);
    const missing = this.featureNames.filter((name) => typeof record[name] !== 'number' && !indicators.has(name));
    if (missing.length > 0) throw new FeatureMismatchError(`missing numeric feature(s) ${missing.join(', ')}`);
    return this.featureNames.map((name) => record[name] ?? 0);
  }

  /** The input row plus the test-history features of its history-key value. */
  private toScaledInput(input: FeatureInput, historyValue: string | undefined): number[] {
    const row = this.toRow(input);
    return this.history === undefined ? row : [...row, ...this.history.encode(historyValue)];
  }

  /** Flaky-class probabilities of many rows at once (synchronous, no deadline). */
  predictProbabilities(rows: readonly FeatureInput[], options: BatchOptions = {}): Float32Array {
    this.assertUsable();
    const { historyValues } = options;
    if (historyValues !== undefined && historyValues.length !== rows.length)
      throw new FeatureMismatchError(`${historyValues.length} history values for ${rows.length} rows`);
    const inputs = rows.map((row, i) => this.toScaledInput(row, historyValues?.[i]));
    const fromNetwork = (): Float32Array => {
      const scaled = this.scaler.transform(inputs);
      return tf.tidy(
        () =>
          (
            this.network!.predict(tf.tensor2d(scaled, [rows.length, this.scaler.width])) as tf.Tensor
          ).dataSync() as Float32Array,
      );
    };
    if (this.trees === undefined) return fromNetwork();
    const fromTrees = this.trees.probabilities(inputs);
    return this.network === undefined
      ? fromTrees
      : blend(fromNetwork(), fromTrees, this.metadata.networkWeight ?? 0.5);
  }

  /**
   * Probability of one full input row (features + history); the network part is awaited, the trees are synchronous.
   */
  private async probabilityOf(input: number[]): Promise<number> {
    const fromTrees = this.trees?.probability(input);
    if (this.network === undefined) return fromTrees!;
    const scaled = this.scaler.transform([input]);
    const output = tf.tidy(() => this.network!.predict(tf.tensor2d(scaled, [1, this.scaler.width])) as tf.Tensor);
    try {
      const fromNetwork = (await output.data())[0];
      return fromTrees === undefined
        ? fromNetwork
        : blend([fromNetwork], [fromTrees], this.metadata.networkWeight ?? 0.5)[0];
    } finally {
      output.dispose();
    }
  }

  /**
   * Predicts one test within the deadline. Never rejects: a slow, broken or disposed model,
   * or an input of the wrong shape, yields `{ fallback: true, reason, probability: null }`.
   */
  async predict(input: FeatureInput, options: PredictOptions = {}): Promise<Prediction> {
    const deadlineMs = options.deadlineMs ?? this.deadlineMs;
    const started = performance.now();
    const fallback = (error: unknown): Prediction => ({
      flaky: this.fallbackFlaky,
      probability: null,
      fallback: true,
      reason: error instanceof DeadlineExceededError ? 'deadline' : 'error',
      error:
        error instanceof Error
          ? `${(error as { code?: string }).code ?? error.name}: ${error.message}`
          : String(error),
    });
    const answer = await withDeadline(
      async (): Promise<Prediction> => {
        this.assertUsable();
        const probability = await this.probabilityOf(this.toScaledInput(input, options.historyValue));
        if (!Number.isFinite(probability)) throw new FeatureMismatchError(`the model produced ${probability}`);
        return { flaky: probability >= this.threshold, probability, fallback: false };
      },
      deadlineMs,
      { signal: options.signal, fallback },
    ).catch(fallback);
    const latencyMs = performance.now() - started;
    // A synchronous computation cannot be interrupted by a timer, so a late answer is only detected afterwards.
    const result =
      !answer.fallback && latencyMs > deadlineMs ? fallback(new DeadlineExceededError(deadlineMs)) : answer;
    this.emit(
      'prediction',
      result.fallback ? { latencyMs, fallback: true, reason: result.reason } : { latencyMs, fallback: false },
    );
    return result;
  }

  /** Scores labelled rows at the model's threshold and emits an 'evaluation' event. */
  evaluate(
    rows: readonly FeatureInput[],
    labels: readonly Label[],
    options: BatchOptions = {},
  ): ClassificationMetrics {
    const metrics = evaluatePredictions(labels, this.predictProbabilities(rows, options), this.threshold);
    this.emit('evaluation', {
      accuracy: metrics.accuracy,
      balancedAccuracy: metrics.balancedAccuracy,
      f1: metrics.f1,
      precision: metrics.precision,
      recall: metrics.recall,
    });
    return metrics;
  }

  /** Frees the network's tensors; later predictions answer with the fallback. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.network?.dispose();
    this.removeAllListeners();
  }
}
