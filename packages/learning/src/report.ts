import type { EvaluationSummary, FoldResult, SummaryMetric } from './evaluation';
import { HISTORY_FEATURES, type ResolvedHistoryKeySpec } from './history-encoding';
import type { ClassificationMetrics, ValidationReport } from './types';

/** Published figures quoted next to ours (flaky-class F1 unless stated). */
export const PUBLISHED_FIGURES = {
  majorityAccuracy: { value: 0.963, source: 'always "not flaky" on FlakeFlagger (801 of 21,661 tests flaky)' },
  flakeFlaggerF1: { value: 0.65, source: 'FlakeFlagger random forest, Alshammari et al., ICSE 2021' },
  flakifyF1: { value: 0.79, source: 'Flakify (CodeBERT on test source code), Fatima, Ghaleb and Briand, IEEE TSE 2023' },
} as const;

/** Everything the report shows; produced by the `report` CLI command. */
export interface ReportInput {
  readonly command: string;
  readonly generatedAt: string;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string; readonly tfjs: string };
  readonly data: {
    readonly file: string;
    readonly validation: ValidationReport;
    readonly groups: Readonly<Record<string, number>>;
    readonly unmatchedRows?: number;
    /** How many of the features are one-hot indicators of categorical columns. */
    readonly indicatorFeatures?: number;
  };
  readonly options: Readonly<Record<string, unknown>>;
  /** Categorical columns one-hot encoded as features in the hold-out and CV (never in leave-projects-out). */
  readonly categorical?: readonly string[];
  /** History key of the test-history features in the hold-out and CV (never in leave-projects-out). */
  readonly historyKey?: ResolvedHistoryKeySpec;
  /** Markdown of how the configuration was selected (the `--notes` file), shown as its own section. */
  readonly notes?: string;
  /** Balanced-accuracy floor of the second operating point, when one was evaluated. */
  readonly floorBalancedAccuracy?: number;
  readonly holdout: EvaluationSummary;
  readonly crossValidation?: EvaluationSummary;
  readonly leaveProjectsOut?: EvaluationSummary;
}

const pct = (value: number): string => (Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : 'n/a');
const num = (value: number): string => (Number.isFinite(value) ? value.toFixed(3) : 'n/a');
const spread = (summary: EvaluationSummary, metric: SummaryMetric): string => `${num(summary.mean[metric])} ± ${num(summary.std[metric])}`;

const METRIC_ROWS: readonly [SummaryMetric, string][] = [
  ['accuracy', 'Accuracy'],
  ['balancedAccuracy', 'Balanced accuracy'],
  ['precision', 'Precision (flaky)'],
  ['recall', 'Recall (flaky)'],
  ['f1', 'F1 (flaky)'],
  ['mcc', 'MCC'],
  ['rocAuc', 'ROC-AUC'],
];

function published(metric: SummaryMetric): string {
  if (metric === 'f1') return `${num(PUBLISHED_FIGURES.flakeFlaggerF1.value)} (FlakeFlagger) / ${num(PUBLISHED_FIGURES.flakifyF1.value)} (Flakify)`;
  if (metric === 'accuracy') return `${pct(PUBLISHED_FIGURES.majorityAccuracy.value)} (majority)`;
  return '';
}

function metricTable(model: ClassificationMetrics, baseline: ClassificationMetrics, options: { cv?: EvaluationSummary; floored?: ClassificationMetrics; floor?: number } = {}): string {
  const { cv, floored } = options;
  const columns = [
    'Metric',
    ...(cv ? ['Mean ± std over folds', 'Pooled'] : ['Model (F1-tuned threshold)']),
    ...(floored ? [`${cv ? 'Pooled, ' : ''}threshold for bal. acc. ≥ ${options.floor} on validation`] : []),
    'Majority baseline',
    'Published',
  ];
  const rows = METRIC_ROWS.map(([metric, label]) => {
    const show = metric === 'accuracy' ? pct : num;
    const cells = [label, ...(cv ? [spread(cv, metric), show(model[metric])] : [show(model[metric])]), ...(floored ? [show(floored[metric])] : []), show(baseline[metric]), published(metric)];
    return `| ${cells.join(' | ')} |`;
  });
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows].join('\n');
}

function confusion(metrics: ClassificationMetrics): string {
  const { tp, fp, tn, fn } = metrics.confusion;
  return `| | predicted flaky | predicted not flaky |\n|---|---|---|\n| flaky | ${tp} (TP) | ${fn} (FN) |\n| not flaky | ${fp} (FP) | ${tn} (TN) |`;
}

function foldTable(folds: readonly FoldResult[]): string {
  const rows = folds.map((f) => `| ${f.fold} | ${f.testRows} | ${f.testPositives} | ${f.testGroups?.join(', ') ?? ''} | ${num(f.threshold)} | ${f.bestEpoch}/${f.epochsRun} (${f.stopReason}) | ${num(f.test.f1)} | ${num(f.test.balancedAccuracy)} | ${num(f.test.rocAuc)} |`);
  return ['| Fold | Test rows | Flaky | Held-out groups | Threshold | Best/run epochs | F1 | Bal. acc. | ROC-AUC |', '|---|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}

const TARGET_F1 = PUBLISHED_FIGURES.flakeFlaggerF1.value;
const TARGET_BALANCED_ACCURACY = 0.85;
const verdict = (value: number, target: number): string => (value >= target ? 'met' : `not met (${num(value - target)})`);

function targetsTable(input: ReportInput): string {
  const fold = input.holdout.folds[0];
  const rows = [
    `| Hold-out, F1-tuned threshold | F1 ${num(fold.test.f1)}: ${verdict(fold.test.f1, TARGET_F1)} | ${num(fold.test.balancedAccuracy)}: ${verdict(fold.test.balancedAccuracy, TARGET_BALANCED_ACCURACY)} | ${pct(fold.test.accuracy)} vs ${pct(fold.baseline.accuracy)} |`,
  ];
  if (fold.floored) {
    const f = fold.floored.test;
    rows.push(`| Hold-out, threshold for bal. acc. ≥ ${input.floorBalancedAccuracy} on validation | F1 ${num(f.f1)}: ${verdict(f.f1, TARGET_F1)} | ${num(f.balancedAccuracy)}: ${verdict(f.balancedAccuracy, TARGET_BALANCED_ACCURACY)} | ${pct(f.accuracy)} vs ${pct(fold.baseline.accuracy)} |`);
  }
  if (input.crossValidation) {
    const cv = input.crossValidation;
    rows.push(`| ${cv.folds.length}-fold CV, mean over folds | F1 ${spread(cv, 'f1')}: ${verdict(cv.mean.f1, TARGET_F1)} | ${spread(cv, 'balancedAccuracy')}: ${verdict(cv.mean.balancedAccuracy, TARGET_BALANCED_ACCURACY)} | ${pct(cv.mean.accuracy)} vs ${pct(cv.pooledBaseline.accuracy)} |`);
  }
  if (input.leaveProjectsOut) {
    const lpo = input.leaveProjectsOut;
    rows.push(`| Leave-projects-out, pooled | F1 ${num(lpo.pooled.f1)}: ${verdict(lpo.pooled.f1, TARGET_F1)} | ${num(lpo.pooled.balancedAccuracy)}: ${verdict(lpo.pooled.balancedAccuracy, TARGET_BALANCED_ACCURACY)} | ${pct(lpo.pooled.accuracy)} vs ${pct(lpo.pooledBaseline.accuracy)} |`);
  }
  return [`| Evaluation | F1 (flaky) ≥ ${TARGET_F1} | Balanced accuracy ≥ ${TARGET_BALANCED_ACCURACY} | Accuracy vs majority baseline |`, '|---|---|---|---|', ...rows].join('\n');
}

/** One sentence: which hold-out operating point, if any, meets both targets at once. */
export function targetsVerdict(input: ReportInput): string {
  const fold = input.holdout.folds[0];
  const points = [
    { name: 'the F1-tuned threshold', metrics: fold.test },
    ...(fold.floored ? [{ name: `the threshold reaching balanced accuracy ${input.floorBalancedAccuracy} on validation`, metrics: fold.floored.test }] : []),
  ];
  const meeting = points.filter((p) => p.metrics.f1 >= TARGET_F1 && p.metrics.balancedAccuracy >= TARGET_BALANCED_ACCURACY);
  if (meeting.length === 0) return `**Both targets (F1 ≥ ${TARGET_F1} and balanced accuracy ≥ ${TARGET_BALANCED_ACCURACY} at one operating point) are not met on the hold-out.**`;
  return `**Both targets are met on the hold-out at one operating point**: ${meeting.map((p) => `${p.name} (F1 ${num(p.metrics.f1)}, balanced accuracy ${num(p.metrics.balancedAccuracy)})`).join('; ')}.`;
}

function featureSummary(input: ReportInput): string {
  const { featureCount } = input.data.validation;
  const indicators = input.data.indicatorFeatures ?? 0;
  const history = input.historyKey === undefined ? '' : ` + ${HISTORY_FEATURES.length} test-history features of \`${input.historyKey.column}\``;
  if (indicators === 0) return `${featureCount} numeric features${history}`;
  return `${featureCount} features (${featureCount - indicators} numeric + ${indicators} one-hot indicators of ${(input.categorical ?? []).map((c) => `\`${c}\``).join(', ')})${history}`;
}

/** What the test-history features are, what they presume, and where they cannot help. */
export function historyDescription(spec: ResolvedHistoryKeySpec): string {
  const key = spec.stripSegments === 0 ? `the value of \`${spec.column}\`` : `\`${spec.column}\` without its last ${spec.stripSegments} \`${spec.separator}\`-separated segment${spec.stripSegments === 1 ? '' : 's'}`;
  return `Test history (hold-out and cross-validation only): rows sharing a key (${key}; for FlakeFlagger's \`package.class.method\` test names with 1 segment stripped, the test class) are siblings. ` +
    `Three features are added: the smoothed flake rate of a row's siblings among the training rows ((flaky + m·prior) / (siblings + m)), the number of such siblings and the number of flaky ones (\`${HISTORY_FEATURES.join('`, `')}\`). ` +
    'The table is fitted on the rows the network trains on only; those rows get out-of-fold values (their own label never reaches their own features), the validation rows used for early stopping and the threshold get values from the training rows, and the test rows get the same table. An unseen key gets no siblings and the prior rate. ' +
    'These features use labels: they presume the CI has the flakiness history of the sibling tests (a test class that has produced flaky tests before). Leave-projects-out drops them: a held-out project has no history in the training rows, so it cannot benefit.';
}

/** Renders the learning report as Markdown. */
export function renderReport(input: ReportInput): string {
  const { validation } = input.data;
  const h = input.holdout;
  const fold = h.folds[0];
  const warnings = validation.warnings.map((w) => `- \`${w.code}\`: ${w.rows.length > 0 ? w.message.split(':')[0] : w.message}`).join('\n');
  const sections = [
    '# @agentlink/learning: flaky-test prediction report',
    `Generated ${input.generatedAt} by \`${input.command}\` (from the repository root after \`npm run build -w @agentlink/learning\`: \`npx node packages/learning/dist/${input.command.replace(/^agentlink-learn/, 'cli.js')}\`) on ${input.machine.cpu} (${input.machine.cores} cores), Node ${input.machine.node}, TensorFlow.js ${input.machine.tfjs}, backend **${h.backend}**. Rerun that command to reproduce every figure below; the JSON beside this file holds the raw numbers.`,
    '## Against the targets',
    targetsTable(input),
    targetsVerdict(input),
    '## Data',
    `\`${input.data.file}\`: ${validation.rowCount} tests, ${featureSummary(input)}, ${validation.classBalance.positives} flaky (${pct(validation.classBalance.positiveFraction)}). ` +
      `Projects come from joining \`test_results.csv\` on the lower-cased test name with \`#\` turned into \`.\`: ${Object.keys(input.data.groups).filter((g) => g !== 'unknown').length} projects` +
      (input.data.unmatchedRows === undefined ? '.' : `, ${input.data.unmatchedRows} rows without a match kept in group \`unknown\`.`) +
      ' The rerun counts of `test_results.csv` define the label and are never used as features.',
    `Validation warnings (not fatal):\n${warnings || '- none'}`,
    '## Method',
    'Split first (stratified and seeded; by whole projects for leave-projects-out), then carve a validation part out of the training part; fit the log/standardisation scaler and the class weights on the remaining training rows only. ' +
      'A dense network (ReLU hidden layers, dropout, sigmoid output) is trained with Adam on class-weighted log loss; early stopping watches the validation loss and restores the best weights; the decision threshold is tuned on the validation part. The test part is touched once, at the end.',
    `Options: \`${JSON.stringify(input.options)}\``,
    input.categorical === undefined || input.categorical.length === 0
      ? 'Features: the numeric columns only.'
      : `Features: the numeric columns plus a one-hot encoding of ${input.categorical.map((c) => `\`${c}\``).join(', ')} (one 0/1 indicator per value; an indicator never set in the training rows is 0, so an unseen value is the zero vector) in the hold-out and cross-validation. Leave-projects-out drops these indicators: a held-out project has no identity the model could have learnt.`,
    ...(input.historyKey === undefined ? [] : [historyDescription(input.historyKey)]),
    'Two operating points of the same trained model are reported: the threshold with the best F1 on the validation part, and the threshold with the best validation F1 among those reaching the balanced-accuracy floor on the validation part. Both are chosen before the test part is scored. When no threshold reaches the floor on the validation part, the F1-tuned threshold is kept and the two columns agree.',
    input.notes !== undefined
      ? 'How the configuration was chosen: see [Configuration selection](#configuration-selection) at the end.'
      : 'How the defaults were chosen: a handful of configurations (layer sizes, dropout, learning rate and batch size, class weighting, log vs. quantile scaling, one-hot binned features, threshold objective, 5-network ensembles) were compared on this seed-42 hold-out split while the package was built. The hold-out figures are therefore somewhat optimistic; the cross-validation and leave-projects-out figures, on other splits, are the fairer estimate.',
    `## Stratified 80/20 hold-out (seed ${h.seed})`,
    metricTable(fold.test, fold.baseline, { floored: fold.floored?.test, floor: input.floorBalancedAccuracy }),
    `Threshold ${num(fold.threshold)} (tuned on validation), best epoch ${fold.bestEpoch} of ${fold.epochsRun} run (${fold.stopReason}${fold.plateauEpoch === null ? '' : `, training-loss plateau from epoch ${fold.plateauEpoch}`}), training ${(fold.trainingMs / 1000).toFixed(1)} s.`,
    confusion(fold.test),
    ...(fold.floored ? [`At the second operating point (threshold ${num(fold.floored.threshold)}, the best validation F1 among thresholds reaching balanced accuracy ${input.floorBalancedAccuracy} on validation):`, confusion(fold.floored.test)] : []),
  ];
  if (input.crossValidation) {
    const cv = input.crossValidation;
    sections.push(`## Stratified ${cv.folds.length}-fold cross-validation (seed ${cv.seed})`, metricTable(cv.pooled, cv.pooledBaseline, { cv, floored: cv.pooledFloored, floor: input.floorBalancedAccuracy }), foldTable(cv.folds));
  }
  if (input.leaveProjectsOut) {
    const lpo = input.leaveProjectsOut;
    sections.push(
      `## Leave-projects-out (${lpo.folds.length} folds of whole projects, seed ${lpo.seed})`,
      'Each fold holds out whole projects: the model has never seen a test of them. This is the setting of a new project adopting the model.',
      metricTable(lpo.pooled, lpo.pooledBaseline, { cv: lpo, floored: lpo.pooledFloored, floor: input.floorBalancedAccuracy }),
      foldTable(lpo.folds),
    );
  }
  if (input.notes !== undefined) sections.push('## Configuration selection', input.notes.trim());
  sections.push(
    '## Published figures',
    Object.values(PUBLISHED_FIGURES).map((figure) => `- ${num(figure.value)}: ${figure.source}`).join('\n') +
      '\n\nThe published FlakeFlagger and Flakify figures come from their own evaluation protocols (cross-validation with their own splits and re-sampling); they are context, not a like-for-like comparison.',
  );
  return `${sections.join('\n\n')}\n`;
}
