import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import {
  crossValidation,
  holdoutEvaluation,
  leaveProjectsOut,
  type EvaluationOptions,
  type EvaluationSummary,
  type SummaryMetric,
} from './evaluation';
import { datasetFromCsv } from './load-dataset';
import { flooredPoints } from './operating-points';
import type { Dataset, DatasetSchema, ValidationReport } from './types';
import { validateDataset } from './validate-dataset';

/** One feature set of the report: a name, what it adds, and the schema that builds it. */
export interface FeatureSetPlan {
  readonly name: string;
  readonly description: string;
  readonly schema: DatasetSchema;
}

/** FlakeFlagger's three feature sets: numeric only, + project one-hot, + sibling (test-class) history. */
export function flakeFlaggerFeatureSets(label = 'flakyStatus'): FeatureSetPlan[] {
  const base = { label, drop: ['test_name'], group: 'project' };
  return [
    { name: 'numeric only', description: 'the 22 numeric FlakeFlagger features', schema: base },
    { name: '+ project', description: 'numeric + one-hot project', schema: { ...base, categorical: ['project'] } },
    {
      name: '+ sibling history',
      description: 'numeric + project + flake rate and counts of the training tests of the same test class',
      schema: { ...base, categorical: ['project'], historyKey: { column: 'test_name', stripSegments: 1 } },
    },
  ];
}

/** A reference model scored on the very same hold-outs as the report's model, with its own procedure. */
export interface BaselinePlan {
  readonly name: string;
  readonly description: string;
  /** Its evaluation options (a fixed family: the threshold is tuned on the validation part of the training rows). */
  readonly evaluation: EvaluationOptions;
}

/** The hold-out figures of a baseline on one feature set. */
export interface BaselineResult {
  readonly name: string;
  readonly description: string;
  /** Mean ± sd over the hold-outs at its F1-tuned threshold, per metric. */
  readonly holdoutStats: Readonly<Record<string, MeanSd>>;
  /** Mean ± sd over the hold-outs at each further operating point, by name. */
  readonly operatingPointStats: Readonly<Record<string, Readonly<Record<string, MeanSd>>>>;
  /** Mean ± sd of each floored point's ceiling (threshold picked on the test rows: a bound, not a result). */
  readonly ceilingStats?: Readonly<Record<string, Readonly<Record<string, MeanSd>>>>;
}

export interface HonestReportPlan {
  readonly sets: readonly FeatureSetPlan[];
  /** Scored on every hold-out of every feature set beside the report's model. Default none. */
  readonly baseline?: BaselinePlan;
  /** Seeds of the stratified 80/20 hold-outs; never used to choose anything. */
  readonly holdoutSeeds: readonly number[];
  readonly cvFolds: number;
  readonly cvSeed: number;
  readonly lpoFolds: number;
  /** Family ('auto' = nested CV), network and trees options of every fold. */
  readonly evaluation: EvaluationOptions;
}

export const REPORT_METRICS: readonly SummaryMetric[] = [
  'f1',
  'balancedAccuracy',
  'mcc',
  'rocAuc',
  'prAuc',
  'accuracy',
  'precision',
  'recall',
];

export interface MeanSd {
  readonly mean: number;
  readonly sd: number;
}

export interface FeatureSetResult {
  readonly name: string;
  readonly description: string;
  readonly featureCount: number;
  readonly holdouts: readonly EvaluationSummary[];
  /** Mean ± sample sd over the hold-outs, per metric. */
  readonly holdoutStats: Readonly<Record<string, MeanSd>>;
  readonly holdoutMajorityAccuracy: number;
  /** Mean ± sd over the hold-outs at each further operating point (`evaluation.operatingPoints`), by name. */
  readonly operatingPointStats?: Readonly<Record<string, Readonly<Record<string, MeanSd>>>>;
  /** Mean ± sd of each floored point's ceiling (threshold picked on the test rows: a bound, not a result). */
  readonly ceilingStats?: Readonly<Record<string, Readonly<Record<string, MeanSd>>>>;
  readonly crossValidation?: EvaluationSummary;
  readonly baseline?: BaselineResult;
}

export interface HonestReport {
  readonly command: string;
  readonly generatedAt: string;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string; readonly tfjs: string };
  readonly dataFile: string;
  readonly validation: ValidationReport;
  readonly plan: Omit<HonestReportPlan, 'sets' | 'evaluation' | 'baseline'> & {
    readonly evaluation: Readonly<Record<string, unknown>>;
    readonly baseline?: Omit<BaselinePlan, 'evaluation'> & { readonly evaluation: Readonly<Record<string, unknown>> };
  };
  readonly sets: readonly FeatureSetResult[];
  /** Leave-projects-out: indicators and history are dropped, so it is one result for every feature set. */
  readonly leaveProjectsOut?: EvaluationSummary;
  readonly durationMs: number;
  /** How this run was carried out when it differs from the one command (rendered under "Generated"). */
  readonly note?: string;
}

function meanSd(values: readonly number[]): MeanSd {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { mean: Number.NaN, sd: Number.NaN };
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  const sd = finite.length < 2 ? 0 : Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / (finite.length - 1));
  return { mean, sd };
}

/**
 * Mean ± sd over the hold-outs per metric: at the model's threshold, at each further operating point, and at
 * the ceilings of the points with a BA floor.
 */
function holdoutStatistics(
  holdouts: readonly EvaluationSummary[],
  points: EvaluationOptions['operatingPoints'],
): Pick<BaselineResult, 'holdoutStats' | 'operatingPointStats' | 'ceilingStats'> {
  const over = (value: (h: EvaluationSummary, metric: SummaryMetric) => number | undefined) =>
    Object.fromEntries(
      REPORT_METRICS.map((metric) => [metric, meanSd(holdouts.map((h) => value(h, metric) ?? Number.NaN))]),
    );
  return {
    holdoutStats: over((h, metric) => h.folds[0].test[metric]),
    operatingPointStats: Object.fromEntries(
      (points ?? []).map((point) => [
        point.name,
        over((h, metric) => h.folds[0].operatingPoints?.[point.name]?.test[metric]),
      ]),
    ),
    ceilingStats: Object.fromEntries(
      flooredPoints(points).map((point) => [
        point.name,
        over((h, metric) => h.folds[0].operatingPoints?.[point.name]?.ceiling?.test[metric]),
      ]),
    ),
  };
}

/** Without callbacks (they do not serialise). */
function recordable(options: EvaluationOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => typeof value !== 'function'));
}

/**
 * Runs the whole report: per feature set, the hold-outs (one per seed) and a pooled k-fold CV,
 * then leave-projects-out once. Every fold chooses its model inside its own training rows.
 */
export async function runHonestReport(
  csv: string,
  plan: HonestReportPlan,
  meta: { command: string; dataFile: string; log: (line: string) => void },
): Promise<HonestReport> {
  const started = performance.now();
  const sets: FeatureSetResult[] = [];
  let validation: ValidationReport | undefined;
  let lpo: EvaluationSummary | undefined;
  // Only the hold-outs report operating points; calibrating their floors elsewhere would cost fits for nothing.
  const unCalibrated = { ...plan.evaluation, calibrateFloors: false };
  for (const [s, set] of plan.sets.entries()) {
    const dataset = datasetFromCsv(csv, set.schema);
    validation ??= validateDataset(dataset);
    const holdouts: EvaluationSummary[] = [];
    for (const seed of plan.holdoutSeeds) {
      meta.log(`${set.name}: hold-out seed ${seed} ...`);
      holdouts.push(await holdoutEvaluation(dataset, { ...plan.evaluation, seed, testFraction: 0.2 }));
    }
    const { holdoutStats: stats, operatingPointStats: pointStats, ceilingStats } = holdoutStatistics(
      holdouts,
      plan.evaluation.operatingPoints,
    );
    const reference = plan.baseline;
    const baseline =
      reference === undefined
        ? undefined
        : await runBaseline(dataset, reference, plan.holdoutSeeds, (seed) =>
            meta.log(`${set.name}: baseline (${reference.name}), hold-out seed ${seed} ...`),
          );
    let cv: EvaluationSummary | undefined;
    if (plan.cvFolds > 0) {
      meta.log(`${set.name}: ${plan.cvFolds}-fold cross-validation ...`);
      cv = await crossValidation(dataset, { ...unCalibrated, seed: plan.cvSeed, folds: plan.cvFolds });
    }
    const featureCount = dataset.featureNames.length + (dataset.historyKey === undefined ? 0 : 3);
    const majority = meanSd(holdouts.map((h) => h.folds[0].baseline.accuracy)).mean;
    sets.push({
      name: set.name,
      description: set.description,
      featureCount,
      holdouts,
      holdoutStats: stats,
      holdoutMajorityAccuracy: majority,
      operatingPointStats: pointStats,
      ceilingStats,
      crossValidation: cv,
      ...(baseline === undefined ? {} : { baseline }),
    });
    if (s === 0 && plan.lpoFolds > 0 && dataset.groups !== undefined) {
      meta.log(`leave-projects-out (${plan.lpoFolds} folds) ...`);
      lpo = await leaveProjectsOut(dataset, { ...unCalibrated, seed: plan.cvSeed, folds: plan.lpoFolds });
    }
  }
  return {
    command: meta.command,
    generatedAt: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      node: process.version,
      tfjs: tf.version.tfjs,
    },
    dataFile: meta.dataFile,
    validation: validation!,
    plan: {
      holdoutSeeds: plan.holdoutSeeds,
      cvFolds: plan.cvFolds,
      cvSeed: plan.cvSeed,
      lpoFolds: plan.lpoFolds,
      evaluation: recordable(plan.evaluation),
      ...(plan.baseline === undefined
        ? {}
        : { baseline: { ...plan.baseline, evaluation: recordable(plan.baseline.evaluation) } }),
    },
    sets,
    leaveProjectsOut: lpo,
    durationMs: performance.now() - started,
  };
}

/** The plan's baseline on the same hold-outs (same seeds, so the same test rows) of one feature set. */
async function runBaseline(
  dataset: Dataset,
  baseline: BaselinePlan,
  seeds: readonly number[],
  onSeed: (seed: number) => void,
): Promise<BaselineResult> {
  const holdouts: EvaluationSummary[] = [];
  for (const seed of seeds) {
    onSeed(seed);
    holdouts.push(await holdoutEvaluation(dataset, { ...baseline.evaluation, seed, testFraction: 0.2 }));
  }
  const stats = holdoutStatistics(holdouts, baseline.evaluation.operatingPoints);
  return { name: baseline.name, description: baseline.description, ...stats };
}
