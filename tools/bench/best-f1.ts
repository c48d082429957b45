/** Threshold-free summaries of a ranking, for the learning exploration benches. */
import type { Label } from '@agentlink/learning';

/**
 * Best F1 over all thresholds, and over those whose balanced accuracy reaches `floor` (0 if none).
 * The thresholds are picked ON the scored rows: an upper bound of what the ranking allows, not a result.
 */
export function bestF1(labels: readonly Label[], scores: ArrayLike<number>, floor: number): [number, number] {
  const order = Array.from(labels.keys()).sort((a, b) => scores[b] - scores[a]);
  const positives = labels.filter((label) => label === 1).length;
  const negatives = labels.length - positives;
  let [tp, fp, best, bestAtFloor] = [0, 0, 0, 0];
  for (let k = 0; k < order.length; k++) {
    if (labels[order[k]] === 1) tp++;
    else fp++;
    // Cut only between distinct scores: tied rows share a side.
    if (k + 1 < order.length && scores[order[k + 1]] === scores[order[k]]) continue;
    const f1 = (2 * tp) / (2 * tp + fp + (positives - tp));
    const ba = (tp / positives + 1 - fp / negatives) / 2;
    best = Math.max(best, f1);
    if (ba >= floor) bestAtFloor = Math.max(bestAtFloor, f1);
  }
  return [best, bestAtFloor];
}
