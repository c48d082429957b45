import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EvaluationSummary } from '../src/evaluation';
import { columnValuesFromCsv } from '../src/load-dataset';
import { PUBLISHED_FIGURES, renderReport, targetsVerdict, type ReportInput } from '../src/report';
import type { ClassificationMetrics } from '../src/types';

const DATA = fileURLToPath(new URL('../data/flakeflagger/FlakeFlagger_filtered_dataset.csv', import.meta.url));

const metrics = (f1: number, balancedAccuracy: number): ClassificationMetrics => ({
  accuracy: 0.97,
  balancedAccuracy,
  precision: f1,
  recall: f1,
  specificity: 0.99,
  f1,
  mcc: 0.6,
  rocAuc: 0.95,
  prAuc: 0.6,
  confusion: { tp: 7, fp: 3, tn: 87, fn: 3 },
});

function input(f1: number, balancedAccuracy = 0.9): ReportInput {
  const test = metrics(f1, balancedAccuracy);
  const fold = {
    fold: 1,
    trainRows: 400,
    testRows: 100,
    testPositives: 10,
    threshold: 0.5,
    bestEpoch: 3,
    epochsRun: 9,
    stopReason: 'early-stopping',
    plateauEpoch: null,
    test,
    baseline: metrics(0, 0.5),
    trainingMs: 10,
  };
  const holdout = {
    kind: 'holdout',
    backend: 'cpu',
    seed: 42,
    folds: [fold],
    pooled: test,
    pooledBaseline: fold.baseline,
    mean: test,
    std: test,
    durationMs: 10,
  } as unknown as EvaluationSummary;
  return {
    command: 'agentlink-learn report',
    generatedAt: 'now',
    machine: { cpu: 'x', cores: 2, node: 'v24', tfjs: '4' },
    data: {
      file: 'a.csv',
      validation: {
        rowCount: 100,
        featureCount: 1,
        classBalance: { positives: 10, negatives: 90, positiveFraction: 0.1 },
        warnings: [],
      },
      groups: {},
    } as unknown as ReportInput['data'],
    options: {},
    holdout,
  };
}

describe('published figures', () => {
  it('the majority baseline is the share of non-flaky tests in the FlakeFlagger data shipped here', () => {
    const labels = columnValuesFromCsv(readFileSync(DATA, 'utf8'), 'flakyStatus');
    const flaky = labels.filter((label) => label === '1').length;
    expect(flaky).toBeGreaterThan(0);
    expect(PUBLISHED_FIGURES.majorityAccuracy.value).toBeCloseTo(1 - flaky / labels.length, 3);
    expect(PUBLISHED_FIGURES.majorityAccuracy.source).toContain(
      `${flaky} of ${labels.length.toLocaleString('en')} tests flaky`,
    );
  });

  it('the report quotes each figure beside the metric it is compared with, and its source', () => {
    const lines = renderReport(input(0.7)).split('\n');
    const row = (label: string): string => lines.find((line) => line.startsWith(`| ${label} |`)) ?? '';
    const published = (cells: string): string => cells.split('|').at(-2)!.trim();
    const [flakeFlagger, flakify] = [PUBLISHED_FIGURES.flakeFlaggerF1.value, PUBLISHED_FIGURES.flakifyF1.value];
    expect(published(row('F1 (flaky)'))).toBe(
      `${flakeFlagger.toFixed(3)} (FlakeFlagger) / ${flakify.toFixed(3)} (Flakify)`,
    );
    expect(published(row('Accuracy'))).toBe(
      `${(PUBLISHED_FIGURES.majorityAccuracy.value * 100).toFixed(1)} % (majority)`,
    );
    for (const figure of Object.values(PUBLISHED_FIGURES))
      expect(lines).toContain(`- ${figure.value.toFixed(3)}: ${figure.source}`);
  });

  it('judges the F1 target against the published FlakeFlagger F1', () => {
    const target = PUBLISHED_FIGURES.flakeFlaggerF1.value;
    expect(targetsVerdict(input(target + 0.001))).toContain('Both targets are met');
    expect(targetsVerdict(input(target - 0.001))).toContain('are not met');
    const table = renderReport(input(target - 0.01))
      .split('\n')
      .find((line) => line.startsWith('| Hold-out, F1-tuned threshold |'));
    expect(table).toContain(`F1 ${(target - 0.01).toFixed(3)}: not met (-0.010)`);
  });
});
