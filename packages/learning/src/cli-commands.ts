import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { crossValidation, holdoutEvaluation, leaveProjectsOut, type EvaluationSummary } from './evaluation';
import { FlakinessModel } from './flakiness-model';
import { columnValuesFromCsv, datasetFromCsv, featureRowsFromCsv } from './load-dataset';
import { majorityBaseline } from './metrics';
import { readDataFile } from './read-data-file';
import { joinGroups } from './project-join';
import { groupedSplit, orderedSplit, stratifiedSplit, type Split } from './split';
import { trainFlakinessModel } from './train-model';
import type { TrainModelOptions } from './train-model';
import type { Dataset, DatasetSchema, ValidationReport, WarningCode } from './types';
import { CliUsageError } from './cli-usage-error';
import type { FamilyChoice } from './model-family';
import { selectAndTrain } from './select-model';
import { validateDataset } from './validate-dataset';
import { verdictFeaturesCsv, verdictsFromCsv, type VerdictColumns } from './verdict-csv';

/** Options every command shares, already parsed from the command line. */
export interface CommandOptions {
  readonly data?: string;
  readonly schema: DatasetSchema;
  readonly seed: number;
  readonly out?: string;
  readonly model?: string;
  readonly fatal?: readonly WarningCode[] | 'all';
  readonly training: Omit<TrainModelOptions, 'indexes'>;
  readonly testFraction: number;
  readonly folds?: number;
  readonly groupFolds?: number;
  readonly mode: string;
  /** Model family, or 'auto' (nested CV inside the training rows). */
  readonly family: FamilyChoice;
  readonly innerFolds?: number;
  readonly floorBalancedAccuracy?: number;
  readonly results?: string;
  readonly from?: string;
  /** Training progress line every this many epochs when stderr is not a terminal. Default 10. */
  readonly progressEvery?: number;
  /** report: seeds of the unseen-seed hold-outs. */
  readonly holdoutSeeds?: readonly number[];
  /** report: processes (one feature set each) run at once; 1 = all in this process. */
  readonly jobs?: number;
  /** report: run only this feature set (0-based; leave-projects-out with set 0); used by --jobs. */
  readonly reportSet?: number;
  /** history: which CSV columns hold test, run, time, outcome and duration. */
  readonly verdictColumns?: VerdictColumns;
  readonly argv: readonly string[];
  readonly log: (line: string) => void;
}

function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new CliUsageError(`${flag} is required`);
  return value;
}

export { CliUsageError };

async function loadValidated(options: CommandOptions): Promise<{ dataset: Dataset; validation: ValidationReport }> {
  const dataset = datasetFromCsv(await readDataFile(required(options.data, '--data')), options.schema);
  const validation = validateDataset(dataset, { fatal: options.fatal });
  for (const warning of validation.warnings) options.log(`warning ${warning.code}: ${warning.message}`);
  return { dataset, validation };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** The hold-out of `train`: by time with --order, by whole groups with --group, else stratified. */
function holdoutSplit(dataset: Dataset, options: CommandOptions): Split {
  const testFraction = options.testFraction;
  if (dataset.order !== undefined) return orderedSplit(dataset.order, { testFraction });
  if (dataset.groups !== undefined)
    return groupedSplit(dataset.labels, dataset.groups, { testFraction, seed: options.seed });
  return stratifiedSplit(dataset.labels, { testFraction, seed: options.seed });
}

const innerProgress = (options: CommandOptions) => (event: { family: string; fold: number; folds: number }) =>
  options.log(`selection: ${event.family} inner fold ${event.fold}/${event.folds}`);

const progress = (options: CommandOptions) => (fold: { fold: number; test: { f1: number } }, total: number) =>
  options.log(`fold ${fold.fold}/${total}: F1 ${fold.test.f1.toFixed(3)}`);

/** `train`: holds out a stratified test part (unless --test-fraction 0), trains, reports, saves to --out. */
export async function trainCommand(options: CommandOptions): Promise<unknown> {
  const out = required(options.out, '--out');
  const { dataset, validation } = await loadValidated(options);
  const split = options.testFraction > 0 ? holdoutSplit(dataset, options) : undefined;
  const common = {
    ...options.training,
    seed: options.seed,
    indexes: split?.train,
    groupedValidation: dataset.groups !== undefined,
  };
  const trained =
    options.family === 'auto'
      ? await selectAndTrain(dataset, {
          ...common,
          innerFolds: options.innerFolds,
          groupedInner: dataset.groups !== undefined,
          onInnerFold: innerProgress(options),
        })
      : await trainFlakinessModel(dataset, { ...common, family: options.family });
  const summary: Record<string, unknown> = {
    backend: trained.backend,
    family: trained.family,
    ...('selection' in trained ? { selection: trained.selection } : {}),
    split:
      split === undefined
        ? 'none'
        : dataset.order !== undefined
          ? 'time-ordered'
          : dataset.groups !== undefined
            ? 'grouped'
            : 'stratified',
    rows: validation.rowCount,
    classBalance: validation.classBalance,
    threshold: trained.model.threshold,
    bestEpoch: trained.history.bestEpoch,
    epochsRun: trained.history.epochs.length,
    stopReason: trained.history.stopReason,
    plateauEpoch: trained.history.plateauEpoch,
    validation: trained.validation,
  };
  if (split !== undefined) {
    const labels = split.test.map((i) => dataset.labels[i]);
    const historyValues =
      dataset.historyValues === undefined ? undefined : split.test.map((i) => dataset.historyValues![i]);
    summary.test = trained.model.evaluate(
      split.test.map((i) => dataset.features[i]),
      labels,
      { historyValues },
    );
    summary.majorityBaseline = majorityBaseline(labels);
  }
  await trained.model.save(out);
  trained.model.dispose();
  summary.savedTo = out;
  return summary;
}

/** `evaluate`: with --model, scores a saved model on --data; otherwise runs hold-out, CV and/or leave-projects-out. */
export async function evaluateCommand(options: CommandOptions): Promise<unknown> {
  const { dataset } = await loadValidated(options);
  if (options.model !== undefined) {
    const model = await FlakinessModel.load(options.model, { backend: options.training.backend });
    // Read the model's own columns (and derive its indicators) so column order and categories match the model.
    const text = await readDataFile(options.data!);
    const { rows } = featureRowsFromCsv(text, model.featureNames, model.indicatorFeatures);
    const metrics = model.evaluate(rows, dataset.labels, { historyValues: historyValuesOf(model, text) });
    model.dispose();
    return {
      model: options.model,
      backend: tf.getBackend(),
      test: metrics,
      majorityBaseline: majorityBaseline(dataset.labels),
    };
  }
  const common = {
    ...options.training,
    seed: options.seed,
    family: options.family,
    innerFolds: options.innerFolds,
    onFold: progress(options),
    onInnerFold: innerProgress(options),
    floorBalancedAccuracy: options.floorBalancedAccuracy,
  };
  // --group makes every split of this command whole-group (hold-out, CV, validation, inner folds).
  const grouped = dataset.groups !== undefined;
  const result: Record<string, EvaluationSummary> = {};
  if (options.mode === 'holdout' || options.mode === 'all')
    result.holdout = await holdoutEvaluation(dataset, {
      ...common,
      grouped,
      testFraction: options.testFraction || 0.2,
    });
  if (options.mode === 'cv' || options.mode === 'all')
    result.crossValidation = await crossValidation(dataset, { ...common, grouped, folds: options.folds ?? 10 });
  if (options.mode === 'lpo' || (options.mode === 'all' && dataset.groups !== undefined))
    result.leaveProjectsOut = await leaveProjectsOut(dataset, { ...common, folds: options.groupFolds ?? 5 });
  if (Object.keys(result).length === 0)
    throw new CliUsageError(`--mode must be holdout, cv, lpo or all, got ${options.mode}`);
  if (options.out !== undefined) await writeJson(options.out, result);
  return result;
}

/** The history-key column of a model trained with test history (throws MissingColumnError when the CSV lacks it). */
function historyValuesOf(model: FlakinessModel, text: string): string[] | undefined {
  return model.historyKey === undefined ? undefined : columnValuesFromCsv(text, model.historyKey.column);
}

/** `predict`: one JSON line per CSV row (label column optional) with the model's answer. */
export async function predictCommand(options: CommandOptions): Promise<unknown> {
  const model = await FlakinessModel.load(required(options.model, '--model'), { backend: options.training.backend });
  const text = await readDataFile(required(options.data, '--data'));
  const { rows, rowNumbers } = featureRowsFromCsv(text, model.featureNames, model.indicatorFeatures);
  const historyValues = historyValuesOf(model, text);
  const answers = [];
  for (const [i, row] of rows.entries())
    answers.push({ row: rowNumbers[i], ...(await model.predict(row, { historyValue: historyValues?.[i] })) });
  model.dispose();
  if (options.out !== undefined) await writeJson(options.out, answers);
  return answers;
}

/** `join`: appends a project column to a data set from a results file (FlakeFlagger's test_results.csv). */
export async function joinCommand(options: CommandOptions): Promise<unknown> {
  const joined = joinGroups(
    await readDataFile(required(options.data, '--data')),
    await readDataFile(required(options.results, '--results')),
  );
  await writeFile(required(options.out, '--out'), joined.csv);
  return { out: options.out, matched: joined.matched, unmatched: joined.unmatched, groups: joined.groups };
}

/** `history`: a CI verdict log (test, run, time, outcome, duration) to a training CSV of history features. */
export async function historyCommand(options: CommandOptions): Promise<unknown> {
  const verdicts = verdictsFromCsv(await readDataFile(required(options.data, '--data')), options.verdictColumns!);
  const out = required(options.out, '--out');
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await writeFile(out, verdictFeaturesCsv(verdicts));
  const failed = verdicts.filter((v) => v.failed).length;
  return {
    out,
    verdicts: verdicts.length,
    failed,
    tests: new Set(verdicts.map((v) => v.test)).size,
    runs: new Set(verdicts.map((v) => v.run)).size,
    next:
      `agentlink-learn evaluate --data ${out} --label failed --drop test --group run --order time` +
      ' --objective accuracy',
  };
}
