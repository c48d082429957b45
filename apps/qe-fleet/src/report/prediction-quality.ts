/** Confusion matrix of flaky predictions against FlakeFlagger's labels, with its ratios. */
export interface PredictionQuality {
  readonly evaluated: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  /** Of the tests predicted flaky, the share that are (NaN when none was predicted flaky). */
  readonly precision: number;
  /** Of the flaky tests, the share predicted flaky (NaN when the suite has none). */
  readonly recall: number;
  readonly accuracy: number;
}

/** Compares predictions with the ground truth; tests without a prediction are skipped. */
export function comparePredictions(
  predictions: ReadonlyMap<string, boolean>,
  truth: ReadonlyMap<string, boolean>,
): PredictionQuality {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const [id, predicted] of predictions) {
    const actual = truth.get(id);
    if (actual === undefined) continue;
    if (predicted && actual) tp += 1;
    else if (predicted) fp += 1;
    else if (actual) fn += 1;
    else tn += 1;
  }
  const evaluated = tp + fp + fn + tn;
  return {
    evaluated,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: tp + fp === 0 ? Number.NaN : tp / (tp + fp),
    recall: tp + fn === 0 ? Number.NaN : tp / (tp + fn),
    accuracy: evaluated === 0 ? Number.NaN : (tp + tn) / evaluated,
  };
}
