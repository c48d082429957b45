import type { GbdtOptions } from './gbdt/gbdt-options';
import { confusionMatrix, metricsFromConfusion } from './metrics';
import type { ModelFamily } from './model-family';
import { innerSplits, outOfFoldScores, type OutOfFoldScores } from './out-of-fold';
import type { Split } from './split';
import { tuneThreshold, type ThresholdObjective } from './threshold';
import type { TrainModelOptions } from './train-model';
import type { Dataset, Label } from './types';

/** A balanced-accuracy floor to calibrate: the objective maximised among thresholds reaching it. */
export interface FloorRequest {
  readonly objective: ThresholdObjective;
  readonly floor: number;
}

/** Floors tried on the out-of-fold rows, relative to the requested one (fixed a priori, not tuned). */
export const FLOOR_OFFSETS: readonly number[] = Array.from({ length: 31 }, (_, k) => -0.1 + k * 0.005);

/** Balanced accuracy and objective of `scores` at `threshold`. */
function judged(
  labels: readonly Label[],
  scores: ArrayLike<number>,
  threshold: number,
  objective: ThresholdObjective,
): { balancedAccuracy: number; score: number } {
  const predicted = labels.map((_, i): Label => (scores[i] >= threshold ? 1 : 0));
  const m = metricsFromConfusion(confusionMatrix(labels, predicted));
  return { balancedAccuracy: m.balancedAccuracy, score: objective === 'precisionAtRecall' ? m.precision : m[objective] };
}

/**
 * The floor to apply to out-of-fold predictions so that the threshold it gives reaches the requested
 * floor on unseen rows. Per simulated fold: a threshold is tuned on `tuning` (out-of-fold predictions
 * of models trained on fewer rows) and judged on `held` (rows those models never saw). Among the
 * candidate floors whose mean held-out balanced accuracy reaches the request, the one with the best
 * mean objective wins (ties: the one nearest the request); when none reaches it, the one with the
 * highest mean held-out balanced accuracy.
 */
export function calibrateFloor(
  simulations: readonly { readonly tuning: OutOfFoldScores; readonly held: OutOfFoldScores }[],
  request: FloorRequest,
): number {
  let best = { floor: request.floor, score: Number.NEGATIVE_INFINITY };
  let closest = { floor: request.floor, balancedAccuracy: Number.NEGATIVE_INFINITY };
  for (const offset of FLOOR_OFFSETS) {
    const floor = request.floor + offset;
    let ba = 0;
    let score = 0;
    for (const { tuning, held } of simulations) {
      const { threshold } = tuneThreshold(tuning.labels, tuning.scores, request.objective, {
        minBalancedAccuracy: floor,
      });
      const result = judged(held.labels, held.scores, threshold, request.objective);
      ba += result.balancedAccuracy / simulations.length;
      score += result.score / simulations.length;
    }
    const nearer = Math.abs(offset) < Math.abs(best.floor - request.floor);
    if (ba >= request.floor && (score > best.score || (score === best.score && nearer))) best = { floor, score };
    if (ba > closest.balancedAccuracy) closest = { floor, balancedAccuracy: ba };
  }
  return best.score === Number.NEGATIVE_INFINITY ? closest.floor : best.floor;
}

/** The rows of `oof` that are in `rows`, in ascending order. */
function restricted(oof: OutOfFoldScores, rows: readonly number[]): OutOfFoldScores {
  const wanted = new Set(rows);
  const keep = oof.rows.map((row, k) => (wanted.has(row) ? k : -1)).filter((k) => k >= 0);
  return {
    rows: keep.map((k) => oof.rows[k]),
    labels: keep.map((k) => oof.labels[k]),
    scores: Float32Array.from(keep, (k) => oof.scores[k]),
  };
}

/**
 * Calibrates balanced-accuracy floors inside the training rows only. `splits` are the inner folds
 * whose out-of-fold predictions (`outOfFold`, of the chosen model) tune the final thresholds; each
 * of their training parts is split again the same way, so that its own out-of-fold predictions
 * tune a threshold that is then judged on the inner fold's test rows, as the final threshold is
 * judged on the outer test rows. Costs `splits.length × folds` extra fits of the chosen model.
 */
export async function calibrateFloors(
  dataset: Dataset,
  splits: readonly Split[],
  outOfFold: OutOfFoldScores,
  model: { readonly family: ModelFamily; readonly gbdt?: GbdtOptions },
  options: Omit<TrainModelOptions, 'family' | 'gbdt' | 'indexes' | 'threshold'> & {
    readonly folds: number;
    readonly seed: number;
    readonly grouped: boolean;
  },
  requests: readonly FloorRequest[],
): Promise<number[]> {
  if (requests.length === 0) return [];
  const simulations: { tuning: OutOfFoldScores; held: OutOfFoldScores }[] = [];
  for (const split of splits) {
    const nested = innerSplits(dataset, split.train, options.folds, options.seed, options.grouped);
    simulations.push({
      tuning: await outOfFoldScores(dataset, nested, model, options),
      held: restricted(outOfFold, split.test),
    });
  }
  return requests.map((request) => calibrateFloor(simulations, request));
}
