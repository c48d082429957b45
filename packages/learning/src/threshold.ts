import { InvalidOptionsError } from '@agentlink/resilience';
import { confusionMatrix, metricsFromConfusion } from './metrics';
import type { Label } from './types';

/**
 * What the decision threshold is tuned to maximise on validation data. 'precisionAtRecall'
 * maximises precision among thresholds whose recall reaches `minRecall` (default 0.8).
 */
export type ThresholdObjective = 'f1' | 'mcc' | 'balancedAccuracy' | 'accuracy' | 'precisionAtRecall';

export const THRESHOLD_OBJECTIVES: readonly ThresholdObjective[] = [
  'f1',
  'mcc',
  'balancedAccuracy',
  'accuracy',
  'precisionAtRecall',
];

/** Operating-point constraints of `tuneThreshold`. */
export interface ThresholdConstraint {
  /** Only thresholds reaching this balanced accuracy compete. */
  readonly minBalancedAccuracy?: number;
  /** Only thresholds reaching this recall compete (default 0.8 for 'precisionAtRecall', else 0). */
  readonly minRecall?: number;
}

/**
 * Picks the decision threshold that maximises `objective` on VALIDATION predictions (never the
 * test set). Candidates are 0.01..0.99 in steps of 0.01, plus 1.01 (never flaky, which accuracy
 * may prefer on rare positives); ties keep the threshold closest to 0.5.
 * With `minBalancedAccuracy`, only thresholds reaching that balanced accuracy compete (an operating
 * point the caller requires); when none does, the best unconstrained threshold is returned.
 */
export function tuneThreshold(
  labels: readonly Label[],
  probabilities: ArrayLike<number>,
  objective: ThresholdObjective = 'f1',
  constraint: ThresholdConstraint = {},
): { threshold: number; score: number; constraintMet: boolean } {
  if (!THRESHOLD_OBJECTIVES.includes(objective)) {
    throw new InvalidOptionsError(
      `threshold objective must be one of ${THRESHOLD_OBJECTIVES.join(', ')}, got ${String(objective)}`,
    );
  }
  const floor = constraint.minBalancedAccuracy ?? 0;
  const minRecall = constraint.minRecall ?? (objective === 'precisionAtRecall' ? 0.8 : 0);
  let best = { threshold: 0.5, score: Number.NEGATIVE_INFINITY, constraintMet: false };
  for (let step = 1; step <= 100; step++) {
    const threshold = step === 100 ? 1.01 : step / 100;
    const predicted = labels.map((_, i): Label => (probabilities[i] >= threshold ? 1 : 0));
    const metrics = metricsFromConfusion(confusionMatrix(labels, predicted));
    const constraintMet = metrics.balancedAccuracy >= floor && metrics.recall >= minRecall;
    const score = objective === 'precisionAtRecall' ? metrics.precision : metrics[objective];
    const closer = Math.abs(threshold - 0.5) < Math.abs(best.threshold - 0.5);
    // A threshold meeting the constraint always beats one that does not; then the higher score, then closeness to 0.5.
    const better =
      constraintMet !== best.constraintMet ? constraintMet : score > best.score || (score === best.score && closer);
    if (better) best = { threshold, score, constraintMet };
  }
  return best;
}

/** The constraint the training options put on the threshold. */
export function thresholdConstraint(options: {
  thresholdObjective: ThresholdObjective;
  thresholdMinBalancedAccuracy: number;
  thresholdMinRecall: number;
}): ThresholdConstraint {
  const minRecall = options.thresholdObjective === 'precisionAtRecall' ? options.thresholdMinRecall : 0;
  return { minBalancedAccuracy: options.thresholdMinBalancedAccuracy, minRecall };
}
