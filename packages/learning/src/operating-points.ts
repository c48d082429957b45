import type { OperatingPoint, OperatingPointResult } from './evaluation-types';
import { evaluatePredictions } from './metrics';
import { tuneThreshold } from './threshold';
import type { Label } from './types';

/**
 * Thresholds of further operating points, each tuned by its objective on training-side predictions
 * (`tuning`), then applied once to the test predictions.
 */
export function operatingPointResults(
  points: readonly OperatingPoint[] | undefined,
  tuning: { readonly labels: readonly Label[]; readonly probabilities: ArrayLike<number> },
  test: { readonly labels: readonly Label[]; readonly probabilities: ArrayLike<number> },
): Record<string, OperatingPointResult> | undefined {
  if (points === undefined || points.length === 0) return undefined;
  return Object.fromEntries(
    points.map((point) => {
      const { threshold, constraintMet } = tuneThreshold(tuning.labels, tuning.probabilities, point.objective, {
        minBalancedAccuracy: point.minBalancedAccuracy,
      });
      const metrics = evaluatePredictions(test.labels, test.probabilities, threshold);
      return [point.name, { threshold, constraintMet, test: metrics }];
    }),
  );
}
