import { num, tableRow } from './report-format';
import type { FeatureSetResult, HonestReport, MeanSd } from './report-run';

type Stats = Readonly<Record<string, MeanSd>> | undefined;

const pair = (stats: Stats): string =>
  stats === undefined ? 'n/a' : `${num(stats.f1?.mean)} / ${num(stats.balancedAccuracy?.mean)}`;

/**
 * "Against the random forest": the baseline and the report's model side by side on the same
 * hold-outs, per feature set, at the F1-tuned threshold and at each further operating point with a BA
 * floor. Empty when the report ran without a baseline.
 */
export function baselineSection(report: HonestReport, floorPoints: readonly string[]): string {
  type WithBaseline = FeatureSetResult & { baseline: NonNullable<FeatureSetResult['baseline']> };
  const sets = report.sets.filter((s): s is WithBaseline => s.baseline !== undefined);
  if (sets.length === 0) return '';
  const baseline = sets[0].baseline;
  const header = [
    'Feature set',
    'Model',
    'F1-tuned: F1 / BA',
    ...floorPoints.map((p) => `${p}: F1 / BA`),
    'PR-AUC',
    ...floorPoints.map((p) => `ceiling of ${p}: F1`),
  ];
  type Result = Pick<FeatureSetResult, 'holdoutStats' | 'operatingPointStats' | 'ceilingStats'>;
  const row = (set: string, model: string, result: Result) =>
    tableRow([
      set,
      model,
      pair(result.holdoutStats),
      ...floorPoints.map((p) => pair(result.operatingPointStats?.[p])),
      num(result.holdoutStats.prAuc?.mean),
      ...floorPoints.map((p) => num(result.ceilingStats?.[p]?.f1?.mean)),
    ]);
  const rows = sets.flatMap((s) => [row(s.name, 'ours (above)', s), row(s.name, baseline.name, s.baseline)]);
  return `## Against the issue's random forest on the same hold-outs (means)

The baseline, as the issue describes it:
${baseline.description}.
Ours chooses its model and thresholds by nested selection (one-threshold floors calibrated as above).
Same seeds, so the same test rows. The ceilings pick their thresholds on the test rows (see above): bounds, not
results. \`tools/bench/learning-sklearn/baseline.py\` scores
scikit-learn's own forest and XGBoost on these rows for comparison.

${tableRow(header)}
|${header.map(() => '---').join('|')}|
${rows.join('\n')}

`;
}
