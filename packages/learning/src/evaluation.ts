import { InvalidOptionsError } from '@agentlink/resilience';
import { confusionMatrix, evaluatePredictions, majorityBaseline, metricsFromConfusion } from './metrics';
import type {
  EvaluationOptions,
  EvaluationSummary,
  FoldResult,
  GroupMetrics,
  SummaryMetric,
} from './evaluation-types';
import { flooredPoints, operatingPointResults } from './operating-points';
import { selectAndTrain, type OutOfFoldPredictions, type SelectionRecord } from './select-model';
import { groupKFold, groupedSplit, orderedSplit, stratifiedKFold, stratifiedSplit, type Split } from './split';
import { tuneThreshold } from './threshold';
import { trainFlakinessModel, type TrainedModel } from './train-model';
import type { BackendName, ClassificationMetrics, Dataset, Label } from './types';

export type {
  EvaluationOptions,
  EvaluationSummary,
  FoldResult,
  GroupMetrics,
  SummaryMetric,
} from './evaluation-types';

const SUMMARY_METRICS: readonly SummaryMetric[] = [
  'accuracy',
  'balancedAccuracy',
  'precision',
  'recall',
  'f1',
  'mcc',
  'rocAuc',
  'prAuc',
];

/** Feature holding the last outcome of a test's history (see `VERDICT_FEATURES`). */
export const LAST_OUTCOME_FEATURE = 'verdict:lastFailed';

/** Predicts the last outcome where there is one, else the majority label of the training rows. */
function lastOutcomeBaseline(dataset: Dataset, split: Split): ClassificationMetrics | undefined {
  const column = dataset.featureNames.indexOf(LAST_OUTCOME_FEATURE);
  if (column < 0) return undefined;
  const majority: Label = split.train.filter((i) => dataset.labels[i] === 1).length * 2 > split.train.length ? 1 : 0;
  const predicted = split.test.map((i): Label =>
    dataset.features[i][column] === 1 ? 1 : dataset.features[i][column] === 0 ? 0 : majority,
  );
  return evaluatePredictions(
    split.test.map((i) => dataset.labels[i]),
    predicted,
    0.5,
  );
}

function metricsByGroup(
  groups: readonly string[],
  labels: readonly Label[],
  predicted: readonly Label[],
): Record<string, GroupMetrics> {
  const members = new Map<string, number[]>();
  groups.forEach((group, k) => members.set(group, [...(members.get(group) ?? []), k]));
  return Object.fromEntries(
    [...members]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([group, ks]) => {
        const m = metricsFromConfusion(
          confusionMatrix(
            ks.map((k) => labels[k]),
            ks.map((k) => predicted[k]),
          ),
        );
        return [
          group,
          {
            rows: ks.length,
            positives: m.confusion.tp + m.confusion.fn,
            f1: m.f1,
            balancedAccuracy: m.balancedAccuracy,
            confusion: m.confusion,
          },
        ];
      }),
  );
}

function meanAndStd(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [Number.NaN, Number.NaN];
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  const variance = finite.length < 2 ? 0 : finite.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (finite.length - 1);
  return [mean, Math.sqrt(variance)];
}

/** Metrics of rows judged at different thresholds: hard predictions given, scores for the AUCs. */
function pooledMetrics(
  labels: readonly Label[],
  predicted: readonly Label[],
  scores: readonly number[],
): ClassificationMetrics {
  // evaluatePredictions at threshold 0.5 on the 0/1 predictions gives the confusion metrics;
  // the AUCs come from the scores.
  const hard = evaluatePredictions(labels, predicted, 0.5);
  const ranked = evaluatePredictions(labels, scores, 0.5);
  return { ...hard, rocAuc: ranked.rocAuc, prAuc: ranked.prAuc };
}

async function runFolds(
  dataset: Dataset,
  splits: readonly Split[],
  kind: EvaluationSummary['kind'],
  options: EvaluationOptions,
): Promise<EvaluationSummary> {
  const started = performance.now();
  const folds: FoldResult[] = [];
  const pooledLabels: Label[] = [];
  const pooledPredicted: Label[] = [];
  const pooledScores: number[] = [];
  const flooredPredicted: Label[] = [];
  const pooledGroups: string[] = [];
  let backend: BackendName = 'cpu';
  for (const [fold, split] of splits.entries()) {
    const grouped =
      options.groupedValidation ??
      (kind === 'leave-projects-out' || kind === 'grouped-holdout' || kind === 'group-kfold');
    const common = { ...options, indexes: split.train, groupedValidation: grouped };
    const calibrated = options.calibrateFloors === true ? flooredPoints(options.operatingPoints) : [];
    const trained: TrainedModel & {
      selection?: SelectionRecord;
      outOfFold?: OutOfFoldPredictions;
      calibratedFloors?: number[];
    } =
      options.family === 'auto'
        ? await selectAndTrain(dataset, {
            ...common,
            groupedInner: grouped,
            calibrateFloorsOf: calibrated.map((p) => ({ objective: p.objective, floor: p.minBalancedAccuracy! })),
          })
        : await trainFlakinessModel(dataset, { ...common, family: options.family });
    backend = trained.backend;
    const labels = split.test.map((i) => dataset.labels[i]);
    const historyValues =
      dataset.historyValues === undefined ? undefined : split.test.map((i) => dataset.historyValues![i]);
    const probabilities = trained.model.predictProbabilities(
      split.test.map((i) => dataset.features[i]),
      { historyValues },
    );
    const threshold = trained.model.threshold;
    trained.model.dispose();
    let floored: FoldResult['floored'];
    if (options.floorBalancedAccuracy !== undefined) {
      const { labels: valLabels, probabilities: valProbabilities } = trained.validationPredictions;
      const chosen = tuneThreshold(valLabels, valProbabilities, 'f1', {
        minBalancedAccuracy: options.floorBalancedAccuracy,
      }).threshold;
      floored = { threshold: chosen, test: evaluatePredictions(labels, probabilities, chosen) };
      labels.forEach((_, i) => flooredPredicted.push(probabilities[i] >= chosen ? 1 : 0));
    }
    if (dataset.groups !== undefined) for (const i of split.test) pooledGroups.push(dataset.groups[i]);
    labels.forEach((label, i) => {
      pooledLabels.push(label);
      pooledPredicted.push(probabilities[i] >= threshold ? 1 : 0);
      pooledScores.push(probabilities[i]);
    });
    const lastOutcome = lastOutcomeBaseline(dataset, split);
    const result: FoldResult = {
      fold: fold + 1,
      trainRows: split.train.length,
      testRows: split.test.length,
      testPositives: labels.filter((label) => label === 1).length,
      testGroups:
        dataset.groups === undefined || kind === 'holdout' || kind === 'stratified-kfold'
          ? undefined
          : [...new Set(split.test.map((i) => dataset.groups![i]))].sort(),
      threshold,
      family: trained.family,
      ...(trained.selection === undefined ? {} : { selection: trained.selection }),
      bestEpoch: trained.history.bestEpoch,
      epochsRun: trained.history.epochs.length,
      stopReason: trained.history.stopReason,
      plateauEpoch: trained.history.plateauEpoch,
      test: evaluatePredictions(labels, probabilities, threshold),
      baseline: majorityBaseline(labels),
      ...(lastOutcome === undefined ? {} : { lastOutcomeBaseline: lastOutcome }),
      trainingMs: trained.history.durationMs,
      floored,
      operatingPoints: operatingPointResults(
        options.operatingPoints,
        trained.outOfFold ?? trained.validationPredictions,
        { labels, probabilities },
        trained.calibratedFloors === undefined
          ? undefined
          : Object.fromEntries(calibrated.map((p, k) => [p.name, trained.calibratedFloors![k]])),
      ),
    };
    folds.push(result);
    options.onFold?.(result, splits.length);
  }
  const stats = SUMMARY_METRICS.map((metric) => [metric, meanAndStd(folds.map((f) => f.test[metric]))] as const);
  return {
    kind,
    backend,
    seed: options.seed ?? 42,
    folds,
    pooled: pooledMetrics(pooledLabels, pooledPredicted, pooledScores),
    pooledBaseline: majorityBaseline(pooledLabels),
    ...(dataset.groups === undefined ? {} : { byGroup: metricsByGroup(pooledGroups, pooledLabels, pooledPredicted) }),
    pooledFloored:
      options.floorBalancedAccuracy === undefined
        ? undefined
        : pooledMetrics(pooledLabels, flooredPredicted, pooledScores),
    mean: Object.fromEntries(stats.map(([metric, [mean]]) => [metric, mean])) as Record<SummaryMetric, number>,
    std: Object.fromEntries(stats.map(([metric, [, std]]) => [metric, std])) as Record<SummaryMetric, number>,
    durationMs: performance.now() - started,
  };
}

function requireGroups(dataset: Dataset): readonly string[] {
  if (dataset.groups === undefined)
    throw new InvalidOptionsError('a grouped evaluation needs a group column (--group / schema.group)');
  return dataset.groups;
}

/**
 * Seeded stratified hold-out (default 80/20), by whole groups when `grouped` is set,
 * or by time when the data set has an order.
 */
export function holdoutEvaluation(
  dataset: Dataset,
  options: EvaluationOptions & { testFraction?: number; grouped?: boolean } = {},
): Promise<EvaluationSummary> {
  const seed = options.seed ?? 42;
  const testFraction = options.testFraction ?? 0.2;
  if (dataset.order !== undefined)
    return runFolds(dataset, [orderedSplit(dataset.order, { testFraction })], 'time-ordered-holdout', options);
  const split = options.grouped
    ? groupedSplit(dataset.labels, requireGroups(dataset), { testFraction, seed })
    : stratifiedSplit(dataset.labels, { testFraction, seed });
  return runFolds(dataset, [split], options.grouped ? 'grouped-holdout' : 'holdout', options);
}

/** Stratified k-fold cross-validation (default 10 folds), or by whole groups with `grouped`. */
export function crossValidation(
  dataset: Dataset,
  options: EvaluationOptions & { folds?: number; grouped?: boolean } = {},
): Promise<EvaluationSummary> {
  const folds = options.folds ?? 10;
  const seed = options.seed ?? 42;
  if (dataset.order !== undefined)
    throw new InvalidOptionsError(
      'a time-ordered data set is judged by a time-ordered hold-out; ' +
        'k-fold cross-validation would train on the future',
    );
  // Grouped: whole groups (e.g. CI cycles or projects) per fold, so no group is on both sides.
  if (options.grouped)
    return runFolds(
      dataset,
      groupKFold(dataset.labels, requireGroups(dataset), { folds, seed }),
      'group-kfold',
      options,
    );
  return runFolds(dataset, stratifiedKFold(dataset.labels, { folds, seed }), 'stratified-kfold', options);
}

/** The data set without its one-hot indicator features (categorical columns). */
export function withoutIndicators(dataset: Dataset): Dataset {
  if (dataset.indicatorFeatures === undefined) return dataset;
  const indicators = new Set(dataset.indicatorFeatures);
  const keep = dataset.featureNames.map((name, j) => (indicators.has(name) ? -1 : j)).filter((j) => j >= 0);
  return {
    ...dataset,
    featureNames: keep.map((j) => dataset.featureNames[j]),
    features: dataset.features.map((row) => keep.map((j) => row[j])),
    indicatorFeatures: undefined,
  };
}

/** The data set without its history key (no test-history features). */
export function withoutHistory(dataset: Dataset): Dataset {
  if (dataset.historyKey === undefined && dataset.historyValues === undefined) return dataset;
  return { ...dataset, historyKey: undefined, historyValues: undefined };
}

/**
 * Leave-projects-out: whole groups are held out, `folds` partitions of the groups (default 5).
 * Categorical indicator features and the test history are dropped first: a held-out project's
 * identity was never seen and none of its tests has a history in the training rows.
 */
export function leaveProjectsOut(
  dataset: Dataset,
  options: EvaluationOptions & { folds?: number } = {},
): Promise<EvaluationSummary> {
  const splits = groupKFold(dataset.labels, requireGroups(dataset), {
    folds: options.folds ?? 5,
    seed: options.seed ?? 42,
  });
  return runFolds(withoutHistory(withoutIndicators(dataset)), splits, 'leave-projects-out', options);
}
