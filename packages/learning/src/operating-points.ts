import type { OperatingPoint, OperatingPointResult } from './evaluation-types';
import { evaluatePredictions } from './metrics';
import { tuneThreshold } from './threshold';
import type { Label } from './types';

/**
 * Thresholds of further operating points, each tuned by its objective on training-side predictions
 * (`tuning`), then applied once to the test predictions. A point's floor in `calibratedFloors` (chosen
 * inside the training rows, see `calibrateFloors`) replaces its `minBalancedAccuracy` for the tuning.
 */
export function operatingPointResults(
  points: readonly OperatingPoint[] | undefined,
  tuning: { readonly labels: readonly Label[]; readonly probabilities: ArrayLike<number> },
  test: { readonly labels: readonly Label[]; readonly probabilities: ArrayLike<number> },
  calibratedFloors?: Readonly<Record<string, number>>,
): Record<string, OperatingPointResult> | undefined {
  if (points === undefined || points.length === 0) return undefined;
  return Object.fromEntries(
    points.map((point) => {
      const tunedFloor = calibratedFloors?.[point.name];
      const { threshold, constraintMet } = tuneThreshold(tuning.labels, tuning.probabilities, point.objective, {
        minBalancedAccuracy: tunedFloor ?? point.minBalancedAccuracy,
      });
      const metrics = evaluatePredictions(test.labels, test.probabilities, threshold);
      const floor = tunedFloor === undefined ? {} : { tunedFloor };
      const ceiling = point.minBalancedAccuracy === undefined ? {} : { ceiling: testRowsCeiling(point, test) };
      return [point.name, { threshold, constraintMet, test: metrics, ...floor, ...ceiling }];
    }),
  );
}

/**
 * The point's objective tuned on the test rows themselves, at the point's own (uncalibrated) floor: how far this
 * ranking could go at best. Reported beside the honest figure to tell a threshold problem from a ranking one.
 */
function testRowsCeiling(
  point: OperatingPoint,
  test: { readonly labels: readonly Label[]; readonly probabilities: ArrayLike<number> },
): NonNullable<OperatingPointResult['ceiling']> {
  const { threshold, constraintMet } = tuneThreshold(test.labels, test.probabilities, point.objective, {
    minBalancedAccuracy: point.minBalancedAccuracy,
  });
  return { threshold, constraintMet, test: evaluatePredictions(test.labels, test.probabilities, threshold) };
}

/** The operating points with a balanced-accuracy floor. */
export const flooredPoints = (points: readonly OperatingPoint[] | undefined): OperatingPoint[] =>
  (points ?? []).filter((p) => p.minBalancedAccuracy !== undefined && p.minBalancedAccuracy > 0);
