import { mulberry32, shuffled } from '../prng';
import { classWeights } from '../training-options';
import type { Label } from '../types';
import { binColumns, fitBins, toColumns } from './binning';
import { resolveGbdtOptions, type GbdtOptions, type ResolvedGbdtOptions } from './gbdt-options';
import { GradientBoostedTrees } from './gbdt-model';
import { growTree } from './grow-tree';
import { trainForest } from './forest';
import { binnedData } from './histogram';
import { treeOutput, type Tree } from './tree';

/** Rows (raw feature values, all of one width) and their labels. */
export interface LabelledRows {
  readonly rows: readonly (readonly number[])[];
  readonly labels: readonly Label[];
}

/** Per-round progress of boosting. */
export interface BoostingRound {
  readonly iteration: number;
  readonly loss: number;
  /** Weighted validation log loss (NaN without validation rows). */
  readonly valLoss: number;
}

export interface GbdtFit {
  readonly model: GradientBoostedTrees;
  readonly rounds: readonly BoostingRound[];
  /** Trees kept: the round of lowest validation loss (all rounds without validation). */
  readonly bestIteration: number;
  readonly stopReason: 'early-stopping' | 'max-iterations';
  readonly durationMs: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function weightedLogLoss(
  labels: readonly Label[],
  scores: Float64Array,
  weights: { negative: number; positive: number },
): number {
  let loss = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const w = labels[i] === 1 ? weights.positive : weights.negative;
    const p = Math.min(Math.max(sigmoid(scores[i]), 1e-12), 1 - 1e-12);
    loss -= w * (labels[i] === 1 ? Math.log(p) : Math.log(1 - p));
    total += w;
  }
  return total === 0 ? Number.NaN : loss / total;
}

/**
 * Histogram gradient boosting of logistic loss with class weights (from the training labels
 * only), row and feature subsampling from the seed, and early stopping on the validation loss
 * (the trees up to the best round are kept). Deterministic for a given seed and input. With
 * `mode` 'forest' a random forest is trained instead (see forest.ts), with 'both' the two are
 * trained and their probabilities averaged with `forestWeight`.
 */
export async function trainGbdt(
  train: LabelledRows,
  validation: LabelledRows | undefined,
  options: GbdtOptions = {},
  onRound?: (round: BoostingRound) => void,
): Promise<GbdtFit> {
  const started = performance.now();
  const o = resolveGbdtOptions(options);
  if (o.mode === 'boosting') return boost(train, validation, o, onRound, started);
  // A forest needs no validation rows (it has no rounds to stop early), so it may learn from them.
  const extra = o.forestOnValidation && validation !== undefined ? validation : { rows: [], labels: [] };
  const forest = await trainForest([...train.rows, ...extra.rows], [...train.labels, ...extra.labels], o);
  const width = train.rows[0]?.length ?? 0;
  if (o.mode === 'forest') {
    const parameters = { kind: 'gbdt', featureCount: width, initScore: 0, trees: [], forest } as const;
    const model = GradientBoostedTrees.fromParameters(parameters);
    const durationMs = performance.now() - started;
    return { model, rounds: [], bestIteration: 0, stopReason: 'max-iterations', durationMs };
  }
  const boosted = await boost(train, validation, o, onRound, started);
  const forestWeight = o.forestWeight;
  const model = GradientBoostedTrees.fromParameters({ ...boosted.model.parameters, forest, forestWeight });
  return { ...boosted, model, durationMs: performance.now() - started };
}

/** The boosted trees alone, or `bags` of them averaged. */
async function boost(
  train: LabelledRows,
  validation: LabelledRows | undefined,
  o: ResolvedGbdtOptions,
  onRound: ((round: BoostingRound) => void) | undefined,
  started: number,
): Promise<GbdtFit> {
  if (o.bags === 1) return fitOne(train, validation, o, onRound, started);
  // Bagging: members differ by their sampling seed; their log-odds are averaged, which is one
  // ensemble of every member's trees with leaf values divided by the member count.
  const fits: GbdtFit[] = [];
  for (let b = 0; b < o.bags; b++) {
    const member = { ...o, seed: o.seed + 7919 * b };
    fits.push(await fitOne(train, validation, member, b === 0 ? onRound : undefined, started));
  }
  const scale = (tree: Tree): Tree => ({ ...tree, value: tree.value.map((v) => v / o.bags) });
  const model = GradientBoostedTrees.fromParameters({
    kind: 'gbdt',
    featureCount: fits[0].model.parameters.featureCount,
    initScore: fits[0].model.parameters.initScore,
    trees: fits.flatMap((fit) => fit.model.parameters.trees.map(scale)),
  });
  const bestIteration = Math.round(fits.reduce((sum, fit) => sum + fit.bestIteration, 0) / o.bags);
  return { ...fits[0], model, bestIteration, durationMs: performance.now() - started };
}

async function fitOne(
  train: LabelledRows,
  validation: LabelledRows | undefined,
  o: ResolvedGbdtOptions,
  onRound: ((round: BoostingRound) => void) | undefined,
  started: number,
): Promise<GbdtFit> {
  const n = train.labels.length;
  const width = train.rows[0]?.length ?? 0;
  const columns = toColumns(train.rows, width);
  const bounds = fitBins(columns, o.maxBins);
  const data = binnedData(
    binColumns(columns, bounds),
    n,
    bounds.map((b) => b.length + 1),
  );
  const positives = train.labels.filter((label) => label === 1).length;
  const weights = classWeights(positives, n - positives, o.classWeighting);
  const rowWeight = Float64Array.from(train.labels, (label) => (label === 1 ? weights.positive : weights.negative));
  const weightedPositives = positives * weights.positive;
  const prior = Math.min(
    Math.max(weightedPositives / (weightedPositives + (n - positives) * weights.negative), 1e-6),
    1 - 1e-6,
  );
  const initScore = Math.log(prior / (1 - prior));

  const scores = new Float64Array(n).fill(initScore);
  const valScores = new Float64Array(validation?.labels.length ?? 0).fill(initScore);
  const gradients = new Float64Array(n);
  const hessians = new Float64Array(n);
  const random = mulberry32(o.seed);
  const allFeatures = Array.from({ length: width }, (_, f) => f);
  const featureCount = Math.max(1, Math.round(o.featureFraction * width));
  const trees: Tree[] = [];
  const rounds: BoostingRound[] = [];
  let best = { iteration: 0, valLoss: Number.POSITIVE_INFINITY };
  let stopReason: GbdtFit['stopReason'] = 'max-iterations';
  const context = { data, bounds, gradients, hessians, ...o };
  for (let iteration = 1; iteration <= o.maxIterations; iteration++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(scores[i]);
      gradients[i] = rowWeight[i] * (p - train.labels[i]);
      hessians[i] = Math.max(rowWeight[i] * p * (1 - p), 1e-16);
    }
    const sampled: number[] = [];
    for (let i = 0; i < n; i++) if (o.rowSubsample >= 1 || random() < o.rowSubsample) sampled.push(i);
    const features =
      featureCount === width
        ? allFeatures
        : shuffled(allFeatures, random)
            .slice(0, featureCount)
            .sort((a, b) => a - b);
    const builder = growTree(context, Uint32Array.from(sampled), features);
    for (let i = 0; i < n; i++) scores[i] += builder.outputByBins(data.bins, n, i);
    const tree = builder.build();
    trees.push(tree);
    let valLoss = Number.NaN;
    if (validation !== undefined && validation.labels.length > 0) {
      for (let i = 0; i < valScores.length; i++) valScores[i] += treeOutput(tree, validation.rows[i]);
      valLoss = weightedLogLoss(validation.labels, valScores, weights);
    }
    const round = { iteration, loss: weightedLogLoss(train.labels, scores, weights), valLoss };
    rounds.push(round);
    onRound?.(round);
    if (Number.isFinite(valLoss)) {
      if (valLoss < best.valLoss - 1e-7) best = { iteration, valLoss };
      else if (iteration - best.iteration >= o.earlyStoppingRounds) {
        stopReason = 'early-stopping';
        break;
      }
    }
    // Let timers and I/O run during a long fit.
    if (iteration % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const bestIteration = Number.isFinite(best.valLoss) ? best.iteration : trees.length;
  const model = GradientBoostedTrees.fromParameters({
    kind: 'gbdt',
    featureCount: width,
    initScore,
    trees: trees.slice(0, bestIteration),
  });
  return { model, rounds, bestIteration, stopReason, durationMs: performance.now() - started };
}
