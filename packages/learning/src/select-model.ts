import { InvalidOptionsError } from '@agentlink/resilience';
import type { GbdtOptions } from './gbdt/gbdt-options';
import { blend, MODEL_FAMILIES, type ModelFamily } from './model-family';
import { calibrateFloors, type FloorRequest } from './floor-calibration';
import { innerSplits, outOfFoldScores } from './out-of-fold';
import { thresholdConstraint, tuneThreshold } from './threshold';
import { trainFlakinessModel, type TrainedModel, type TrainModelOptions } from './train-model';
import { resolveTrainingOptions } from './training-options';
import type { Dataset, Label } from './types';

/** A family with its hyperparameters, scored on the inner folds. */
export interface Candidate {
  readonly family: ModelFamily;
  /** Trees' options ('gbdt'; for 'ensemble', those of the best 'gbdt' candidate). */
  readonly gbdt?: GbdtOptions;
  /** Objective at the threshold tuned on the out-of-fold predictions of the training rows. */
  readonly score: number;
  readonly threshold: number;
}

/** Out-of-fold predictions of the training rows tested in some inner fold (never the outer test rows). */
export interface OutOfFoldPredictions {
  readonly labels: readonly Label[];
  readonly probabilities: Float32Array;
}

/** What nested selection chose and why (no row indexes: it is stored with the model). */
export interface SelectionRecord {
  readonly innerFolds: number;
  readonly objective: string;
  readonly candidates: readonly Candidate[];
  readonly chosen: Candidate;
}

export interface SelectionOptions extends Omit<TrainModelOptions, 'family' | 'threshold' | 'gbdt'> {
  /** Families competing. Default all: network, gbdt, ensemble. */
  readonly families?: readonly ModelFamily[];
  /** Inner folds of the training rows. Default 3. */
  readonly innerFolds?: number;
  /** Hyperparameter sets of the trees tried in the inner folds. Default DEFAULT_GBDT_GRID. */
  readonly gbdtGrid?: readonly GbdtOptions[];
  /** Deal inner folds by whole groups (needs dataset.groups). Default false. */
  readonly groupedInner?: boolean;
  /**
   * A forest candidate also learns from the validation part of each fit (it needs none: thresholds come from
   * out-of-fold rows). Default true.
   */
  readonly forestOnValidationRows?: boolean;
  /**
   * Balanced-accuracy floors to calibrate for the chosen model (see `calibrateFloors`): the result's
   * `calibratedFloors` are the floors to apply to its out-of-fold predictions. Default none.
   */
  readonly calibrateFloorsOf?: readonly FloorRequest[];
  /** Progress: called after each candidate's inner fold. */
  readonly onInnerFold?: (event: { family: ModelFamily; fold: number; folds: number }) => void;
}

/**
 * Two shapes of boosted trees: 31 leaves of at least 2 rows with the sqrt class weights, and 63 leaves
 * down to single rows without class weights (the threshold, tuned in the inner folds, handles the
 * imbalance); and a random forest of 300 fully grown trees split by information gain (more trees only lower
 * a forest's variance; 300 against 100 was compared on split seeds 7 and 11–14, entropy against Gini on seeds
 * 7, 11, 13, 17, 23, 31, 42 and 99 by tools/bench/learning-one-point.ts, never on the report's hold-out
 * seeds). When the grid
 * holds both kinds, the average of the best boosted and the best forest is a further candidate (mode
 * 'both'), scored on their out-of-fold predictions. Forest entries set only `mode` and `forest*` options.
 */
export const DEFAULT_GBDT_GRID: readonly GbdtOptions[] = [
  { minSamplesLeaf: 2, maxLeaves: 31 },
  { minSamplesLeaf: 1, maxLeaves: 63, classWeighting: 'none' },
  { mode: 'forest', forestTrees: 300, forestCriterion: 'entropy' },
];

/**
 * Nested model selection inside the given training rows: every candidate (the network, each
 * trees configuration, and the average of the best of each) is trained on inner folds and
 * scored by the objective at the threshold tuned on its out-of-fold predictions; the best is
 * retrained on all the training rows with that threshold. The outer test rows are never read.
 */
export async function selectAndTrain(
  dataset: Dataset,
  options: SelectionOptions = {},
): Promise<
  TrainedModel & { selection: SelectionRecord; outOfFold: OutOfFoldPredictions; calibratedFloors: number[] }
> {
  const resolved = resolveTrainingOptions(options);
  const families = options.families ?? MODEL_FAMILIES;
  if (families.length === 0 || families.some((f) => !MODEL_FAMILIES.includes(f)))
    throw new InvalidOptionsError(`families must be a non-empty subset of ${MODEL_FAMILIES.join(', ')}`);
  const innerFolds = options.innerFolds ?? 3;
  const indexes = options.indexes ?? dataset.labels.map((_, i) => i);
  const splits = innerSplits(dataset, indexes, innerFolds, resolved.seed + 1, options.groupedInner ?? false);
  let labels: readonly Label[] = [];
  let rows: readonly number[] = [];
  const constraint = thresholdConstraint(resolved);
  const fitOptions = { ...options, forestOnValidationRows: options.forestOnValidationRows ?? true };

  const outOfFold = async (family: ModelFamily, gbdt?: GbdtOptions): Promise<Float32Array> => {
    const oof = await outOfFoldScores(dataset, splits, { family, gbdt }, fitOptions, (fold, folds) =>
      options.onInnerFold?.({ family, fold, folds }),
    );
    labels = oof.labels;
    rows = oof.rows;
    return oof.scores;
  };
  const judge = (family: ModelFamily, scores: Float32Array, gbdt?: GbdtOptions) => {
    const { threshold, score } = tuneThreshold(labels, scores, resolved.thresholdObjective, constraint);
    return { candidate: { family, ...(gbdt === undefined ? {} : { gbdt }), score, threshold } as Candidate, scores };
  };
  const tried: { candidate: Candidate; scores: Float32Array }[] = [];
  const needNetwork = families.includes('network') || families.includes('ensemble');
  const needTrees = families.includes('gbdt') || families.includes('ensemble');
  const network = needNetwork ? judge('network', await outOfFold('network')) : undefined;
  let trees: (typeof tried)[number] | undefined;
  if (needTrees) {
    const best: Partial<Record<'boosting' | 'forest', (typeof tried)[number]>> = {};
    const consider = (judged: (typeof tried)[number]): void => {
      if (families.includes('gbdt')) tried.push(judged);
      if (trees === undefined || judged.candidate.score > trees.candidate.score) trees = judged;
    };
    for (const gbdt of options.gbdtGrid ?? DEFAULT_GBDT_GRID) {
      const judged = judge('gbdt', await outOfFold('gbdt', gbdt), gbdt);
      const kind = gbdt.mode === 'forest' ? 'forest' : 'boosting';
      if (gbdt.mode !== 'both' && (best[kind] === undefined || judged.candidate.score > best[kind].candidate.score))
        best[kind] = judged;
      consider(judged);
    }
    if (best.boosting !== undefined && best.forest !== undefined) {
      const forestWeight = 0.5;
      const gbdt = {
        ...best.boosting.candidate.gbdt,
        ...best.forest.candidate.gbdt,
        mode: 'both',
        forestWeight,
      } as const;
      consider(judge('gbdt', blend(best.forest.scores, best.boosting.scores, forestWeight), gbdt));
    }
  }
  if (network !== undefined && families.includes('network')) tried.push(network);
  if (families.includes('ensemble'))
    tried.push(
      judge('ensemble', blend(network!.scores, trees!.scores, options.networkWeight ?? 0.5), trees!.candidate.gbdt),
    );
  // Ties go to the earlier (cheaper) candidate: trees, then the network, then the ensemble.
  const winner = tried.reduce((best, next) => (next.candidate.score > best.candidate.score ? next : best));
  const chosen = winner.candidate;
  const trained = await trainFlakinessModel(dataset, {
    ...options,
    family: chosen.family,
    gbdt: chosen.gbdt,
    threshold: chosen.threshold,
    indexes,
    forestOnValidationRows: options.forestOnValidationRows ?? true,
  });
  const selection = {
    innerFolds: splits.length,
    objective: resolved.thresholdObjective,
    candidates: tried.map((t) => t.candidate),
    chosen,
  };
  const calibratedFloors = await calibrateFloors(
    dataset,
    splits,
    { rows, labels, scores: winner.scores },
    chosen,
    { ...fitOptions, folds: innerFolds, seed: resolved.seed + 2, grouped: options.groupedInner ?? false },
    options.calibrateFloorsOf ?? [],
  );
  // The winner's out-of-fold predictions: further operating points are tuned on them (training rows only).
  return { ...trained, selection, outOfFold: { labels, probabilities: winner.scores }, calibratedFloors };
}
