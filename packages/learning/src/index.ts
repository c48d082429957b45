/**
 * @agentlink/learning: flaky-test prediction with TensorFlow.js, trained and judged honestly:
 * schema-checked CSV loading, leak-free splits, class weighting, early stopping, a validation-tuned
 * threshold, metrics beside the majority baseline, and predictions within a deadline.
 *
 * @example
 * ```ts
 * import { loadCsvDataset, validateDataset, stratifiedSplit, trainFlakinessModel } from '@agentlink/learning';
 *
 * const data = await loadCsvDataset('packages/learning/data/flakeflagger/flakeflagger-with-project.csv', {
 *   label: 'flakyStatus', drop: ['test_name'], group: 'project',
 * });
 * validateDataset(data); // throws on NaN/Inf or bad rows, returns warnings
 * const { train, test } = stratifiedSplit(data.labels, { testFraction: 0.2, seed: 42 });
 * const { model, backend } = await trainFlakinessModel(data, { indexes: train, seed: 42 });
 * const metrics = model.evaluate(test.map((i) => data.features[i]), test.map((i) => data.labels[i]));
 * console.log(backend, metrics.f1, metrics.balancedAccuracy);
 * console.log(await model.predict(data.features[test[0]])); // { flaky, probability, fallback: false }
 * await model.save('/tmp/flaky-model');
 * model.dispose();
 *
 * // Test history: the flake rate of a test's siblings (same test class) in the training rows.
 * const withHistory = await loadCsvDataset('packages/learning/data/flakeflagger/flakeflagger-with-project.csv', {
 *   label: 'flakyStatus', drop: ['test_name'], historyKey: { column: 'test_name', stripSegments: 1 },
 * });
 * const trained = await trainFlakinessModel(withHistory, { indexes: train, seed: 42 });
 * const history = { historyValue: withHistory.historyValues![test[0]] };
 * console.log(await trained.model.predict(withHistory.features[test[0]], history));
 * trained.model.dispose();
 * ```
 */
export { activeBackend, selectBackend, type BackendPreference } from './backend';
export { parseCsv, type CsvRecord, type ParsedCsv } from './csv-parser';
export {
  BackendUnavailableError,
  ClassImbalanceError,
  ConflictingLabelsError,
  CsvFormatError,
  DatasetError,
  DataFileError,
  DatasetTooSmallError,
  DuplicateRowsError,
  FeatureCountError,
  FeatureMismatchError,
  FeatureTypeError,
  InvalidLabelError,
  MissingColumnError,
  ModelDisposedError,
  ModelFormatError,
  ReportPartError,
  NonFiniteFeatureError,
  SingleClassError,
  TrainingDivergedError,
} from './errors';
export {
  LAST_OUTCOME_FEATURE,
  crossValidation,
  holdoutEvaluation,
  leaveProjectsOut,
  withoutHistory,
  withoutIndicators,
  type EvaluationOptions,
  type EvaluationSummary,
  type FoldResult,
  type GroupMetrics,
  type SummaryMetric,
} from './evaluation';
export type { OperatingPoint, OperatingPointResult } from './evaluation-types';
export { FLOOR_OFFSETS, calibrateFloor, calibrateFloors, type FloorRequest } from './floor-calibration';
export { binOf, fitBins, type BinBounds } from './gbdt/binning';
export { trainGbdt, type BoostingRound, type GbdtFit, type LabelledRows } from './gbdt/boosting';
export { GradientBoostedTrees, type GbdtParameters } from './gbdt/gbdt-model';
export {
  DEFAULT_GBDT_OPTIONS,
  resolveGbdtOptions,
  type ForestCriterion,
  type GbdtOptions,
  type ResolvedGbdtOptions,
  type TreeMode,
} from './gbdt/gbdt-options';
export type { Tree } from './gbdt/tree';
export { MODEL_FAMILIES, blend, type FamilyChoice, type ModelFamily } from './model-family';
export {
  DEFAULT_GBDT_GRID,
  selectAndTrain,
  type OutOfFoldPredictions,
  type Candidate,
  type SelectionOptions,
  type SelectionRecord,
} from './select-model';
export {
  FLAKEFLAGGER_FILES,
  flakeFlaggerDirectory,
  flakeFlaggerFile,
  type FlakeFlaggerFileName,
} from './flakeflagger-files';
export { FeatureScaler, type ColumnKind, type ScalerParameters } from './feature-scaler';
export {
  FlakinessModel,
  type BatchOptions,
  type FeatureInput,
  type FlakinessModelOptions,
  type PredictOptions,
} from './flakiness-model';
export {
  HISTORY_FEATURES,
  HistoryEncoder,
  deriveHistoryKey,
  resolveHistoryKeySpec,
  type HistoryKeySpec,
  type HistoryTable,
  type ResolvedHistoryKeySpec,
} from './history-encoding';
export {
  columnValuesFromCsv,
  datasetFromCsv,
  featureRowsFromCsv,
  indicatorName,
  loadCsvDataset,
} from './load-dataset';
export {
  averagePrecision,
  confusionMatrix,
  evaluatePredictions,
  majorityBaseline,
  metricsFromConfusion,
  rocAuc,
} from './metrics';
export { METADATA_FILE, TOPOLOGY_FILE, WEIGHTS_FILE, type ModelMetadata } from './model-files';
export { readDataFile } from './read-data-file';
export { coveredRows, innerSplits, outOfFoldScores, type OutOfFoldScores } from './out-of-fold';
export { mulberry32, shuffled, type Random } from './prng';
export { joinGroups, normaliseTestName, type JoinGroupsOptions, type JoinGroupsResult } from './project-join';
export {
  BA_POINT,
  REPORT_OPERATING_POINTS,
  REPORT_TARGETS,
  floorPointName,
  renderHonestReport,
  targetLines,
} from './report-render';
export {
  REPORT_METRICS,
  flakeFlaggerFeatureSets,
  runHonestReport,
  type FeatureSetPlan,
  type FeatureSetResult,
  type HonestReport,
  type HonestReportPlan,
  type MeanSd,
} from './report-run';
export {
  groupKFold,
  groupedSplit,
  orderedSplit,
  stratifiedKFold,
  stratifiedSplit,
  timeSeriesFolds,
  type Split,
} from './split';
export {
  THRESHOLD_OBJECTIVES,
  thresholdConstraint,
  tuneThreshold,
  type ThresholdConstraint,
  type ThresholdObjective,
} from './threshold';
export { trainFlakinessModel, type TrainedModel, type TrainModelOptions } from './train-model';
export {
  DEFAULT_TRAINING_OPTIONS,
  classWeights,
  resolveTrainingOptions,
  type ClassWeighting,
  type TrainingOptions,
} from './training-options';
export type * from './types';
export { validateDataset, type ValidateOptions } from './validate-dataset';
export { verdictFeaturesCsv, verdictsFromCsv, type VerdictColumns } from './verdict-csv';
export {
  RECENT_WINDOW,
  VERDICT_FEATURES,
  VerdictHistory,
  featurizeVerdicts,
  type VerdictRecord,
} from './verdict-history';
