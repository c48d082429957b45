import { FeatureMismatchError } from './errors';
import type { ClassificationMetrics, ConfusionMatrix, Label } from './types';

/** Counts true/false positives/negatives of hard predictions against labels (positive = 1). */
export function confusionMatrix(labels: readonly Label[], predicted: readonly Label[]): ConfusionMatrix {
  if (labels.length !== predicted.length)
    throw new FeatureMismatchError(`${labels.length} labels but ${predicted.length} predictions`);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  labels.forEach((label, i) => {
    if (predicted[i] === 1) {
      if (label === 1) tp++;
      else fp++;
    } else if (label === 1) fn++;
    else tn++;
  });
  return { tp, fp, tn, fn };
}

// Conventions for empty denominators follow scikit-learn's zero_division=0: a ratio with no
// cases is 0, so a model that never predicts "flaky" gets precision 0 and F1 0.
const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator);

/** Metrics of a confusion matrix (ROC-AUC and PR-AUC need scores and are not included). */
export function metricsFromConfusion(confusion: ConfusionMatrix): Omit<ClassificationMetrics, 'rocAuc' | 'prAuc'> {
  const { tp, fp, tn, fn } = confusion;
  const total = tp + fp + tn + fn;
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const specificity = ratio(tn, tn + fp);
  const mccDenominator = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  return {
    accuracy: ratio(tp + tn, total),
    balancedAccuracy: (recall + specificity) / 2,
    precision,
    recall,
    specificity,
    f1: ratio(2 * precision * recall, precision + recall),
    mcc: mccDenominator === 0 ? 0 : (tp * tn - fp * fn) / mccDenominator,
    confusion,
  };
}

/**
 * ROC-AUC as the Mann-Whitney statistic: the probability that a random positive scores above a
 * random negative, ties counting one half. NaN when a class is absent.
 */
export function rocAuc(labels: readonly Label[], scores: ArrayLike<number>): number {
  const order = labels.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const positives = labels.filter((label) => label === 1).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  let rankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) if (labels[order[k]] === 1) rankSum += averageRank;
    start = end + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * PR-AUC as average precision (scikit-learn's `average_precision_score`): the mean of the
 * precision at each distinct score, weighted by the recall gained there. NaN without positives.
 */
export function averagePrecision(labels: readonly Label[], scores: ArrayLike<number>): number {
  const positives = labels.filter((label) => label === 1).length;
  if (positives === 0) return Number.NaN;
  const order = labels.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let truePositives = 0;
  let seen = 0;
  let area = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    let gained = 0;
    for (let k = start; k <= end; k++) if (labels[order[k]] === 1) gained++;
    truePositives += gained;
    seen += end - start + 1;
    area += (gained / positives) * (truePositives / seen);
    start = end + 1;
  }
  return area;
}

/** All metrics of probabilistic predictions at a decision threshold (flaky when p >= threshold). */
export function evaluatePredictions(
  labels: readonly Label[],
  probabilities: ArrayLike<number>,
  threshold: number,
): ClassificationMetrics {
  const predicted = Array.from({ length: labels.length }, (_, i): Label => (probabilities[i] >= threshold ? 1 : 0));
  return {
    ...metricsFromConfusion(confusionMatrix(labels, predicted)),
    rocAuc: rocAuc(labels, probabilities),
    prAuc: averagePrecision(labels, probabilities),
  };
}

/** The majority-class baseline: always answer the most frequent label. */
export function majorityBaseline(labels: readonly Label[]): ClassificationMetrics {
  const positives = labels.filter((label) => label === 1).length;
  const majority: Label = positives * 2 > labels.length ? 1 : 0;
  const constant = labels.map(() => majority);
  const share = labels.length === 0 ? Number.NaN : positives / labels.length;
  // A constant score ranks nothing: ROC-AUC 1/2 and average precision = the positive share.
  return { ...metricsFromConfusion(confusionMatrix(labels, constant)), rocAuc: 0.5, prAuc: share };
}
