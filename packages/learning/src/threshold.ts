import { InvalidOptionsError } from '@agentlink/resilience';
import { confusionMatrix, metricsFromConfusion } from './metrics';
import type { Label } from './types';

/** What the decision threshold is tuned to maximise on validation data. */
export type ThresholdObjective = 'f1' | 'mcc' | 'balancedAccuracy';

const OBJECTIVES: readonly ThresholdObjective[] = ['f1', 'mcc', 'balancedAccuracy'];

/**
 * Picks the decision threshold that maximises `objective` on VALIDATION predictions (never the
 * test set). Candidates are 0.01..0.99 in steps of 0.01; ties keep the threshold closest to 0.5.
 * With `minBalancedAccuracy`, only thresholds reaching that balanced accuracy compete (an operating
 * point the caller requires); when none does, the best unconstrained threshold is returned.
 */
export function tuneThreshold(
  labels: readonly Label[],
  probabilities: ArrayLike<number>,
  objective: ThresholdObjective = 'f1',
  constraint: { minBalancedAccuracy?: number } = {},
): { threshold: number; score: number; constraintMet: boolean } {
  if (!OBJECTIVES.includes(objective)) throw new InvalidOptionsError(`threshold objective must be one of ${OBJECTIVES.join(', ')}, got ${String(objective)}`);
  const floor = constraint.minBalancedAccuracy ?? 0;
  let best = { threshold: 0.5, score: Number.NEGATIVE_INFINITY, constraintMet: false };
  for (let step = 1; step <= 99; step++) {
    const threshold = step / 100;
    const predicted = labels.map((_, i): Label => (probabilities[i] >= threshold ? 1 : 0));
    const metrics = metricsFromConfusion(confusionMatrix(labels, predicted));
    const constraintMet = metrics.balancedAccuracy >= floor;
    const score = metrics[objective];
    const closer = Math.abs(threshold - 0.5) < Math.abs(best.threshold - 0.5);
    // A threshold meeting the constraint always beats one that does not; then the higher score, then closeness to 0.5.
    const better = constraintMet !== best.constraintMet ? constraintMet : score > best.score || (score === best.score && closer);
    if (better) best = { threshold, score, constraintMet };
  }
  return best;
}
