import * as tf from '@tensorflow/tfjs';
import { TrainingDivergedError } from './errors';
import { shuffled, type Random } from './prng';
import { trainingForward } from './network';
import { classWeights, type ResolvedTrainingOptions } from './training-options';
import type { EpochRecord, Label, TrainingHistory } from './types';

/** Scaled rows (row-major Float32Array) and their labels. */
export interface TensorData {
  readonly x: Float32Array;
  readonly labels: readonly Label[];
}

function sampleWeights(labels: readonly Label[], weights: { negative: number; positive: number }): tf.Tensor2D {
  return tf.tensor2d(
    labels.map((label) => (label === 1 ? weights.positive : weights.negative)),
    [labels.length, 1],
  );
}

const weightedLogLoss = (labels: tf.Tensor2D, probabilities: tf.Tensor2D, weights: tf.Tensor2D): tf.Scalar =>
  tf.losses.logLoss(labels, probabilities, weights, 1e-7) as tf.Scalar;

/** Throws TrainingDivergedError when a loss is NaN/Infinity or exceeds `factor` × the lowest training loss so far. */
export function checkConvergence(
  epoch: number,
  loss: number,
  valLoss: number,
  lowestLoss: number,
  factor: number,
): void {
  if (!Number.isFinite(loss) || !Number.isFinite(valLoss))
    throw new TrainingDivergedError('non-finite', epoch, Number.isFinite(loss) ? valLoss : loss);
  if (epoch > 1 && loss > factor * lowestLoss) throw new TrainingDivergedError('diverging', epoch, loss);
}

/**
 * Trains `network` with Adam on class-weighted log loss (the mean over ensemble members), shuffling with our seeded
 * PRNG.
 * Stops early when validation loss has not improved by `minDelta` for `patience` epochs and
 * restores the best weights; throws TrainingDivergedError on NaN/Infinity or a diverging loss;
 * records the first training-loss plateau.
 */
export async function trainNetwork(
  network: tf.LayersModel,
  train: TensorData,
  validation: TensorData,
  options: ResolvedTrainingOptions,
  random: Random,
): Promise<TrainingHistory> {
  const started = performance.now();
  const width = train.x.length / Math.max(train.labels.length, 1);
  const positives = train.labels.filter((label) => label === 1).length;
  const weights = classWeights(positives, train.labels.length - positives, options.classWeighting);
  const xTrain = tf.tensor2d(train.x, [train.labels.length, width]);
  const yTrain = tf.tensor2d([...train.labels], [train.labels.length, 1]);
  const wTrain = sampleWeights(train.labels, weights);
  const xVal = tf.tensor2d(validation.x, [validation.labels.length, width]);
  const yVal = tf.tensor2d([...validation.labels], [validation.labels.length, 1]);
  const wVal = sampleWeights(validation.labels, weights);
  const optimizer = tf.train.adam(options.learningRate);
  const variables = network.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const epochs: EpochRecord[] = [];
  let best: { epoch: number; valLoss: number; weights: tf.Tensor[] } = {
    epoch: 0,
    valLoss: Number.POSITIVE_INFINITY,
    weights: [],
  };
  let lowestLoss = Number.POSITIVE_INFINITY;
  let plateauEpoch: number | null = null;
  let stopReason: TrainingHistory['stopReason'] = 'max-epochs';
  try {
    for (let epoch = 1; epoch <= options.maxEpochs; epoch++) {
      const order = shuffled(
        train.labels.map((_, i) => i),
        random,
      );
      const batchLosses: tf.Scalar[] = [];
      for (let start = 0; start < order.length; start += options.batchSize) {
        const batch = tf.tensor1d(order.slice(start, start + options.batchSize), 'int32');
        const loss = optimizer.minimize(
          () =>
            tf.tidy(() => {
              const [y, w] = [tf.gather(yTrain, batch), tf.gather(wTrain, batch)];
              const outputs = trainingForward(network, tf.gather(xTrain, batch), options.dropout, random);
              return tf.div(
                tf.addN(outputs.map((output) => weightedLogLoss(y, output, w))),
                outputs.length,
              ) as tf.Scalar;
            }),
          true,
          variables,
        );
        batch.dispose();
        if (loss !== null) batchLosses.push(loss);
      }
      const loss = tf.tidy(() => tf.mean(tf.stack(batchLosses)).dataSync()[0]);
      tf.dispose(batchLosses);
      const valLoss = tf.tidy(() => weightedLogLoss(yVal, network.predict(xVal) as tf.Tensor2D, wVal).dataSync()[0]);
      checkConvergence(epoch, loss, valLoss, lowestLoss, options.divergenceFactor);
      lowestLoss = Math.min(lowestLoss, loss);
      epochs.push({ epoch, loss, valLoss });
      options.onEpoch?.({ epoch, loss, valLoss });

      const windowStart = epochs[epochs.length - 1 - options.plateauWindow];
      if (
        plateauEpoch === null &&
        windowStart !== undefined &&
        (windowStart.loss - loss) / Math.abs(windowStart.loss) < options.plateauTolerance
      )
        plateauEpoch = epoch;

      if (valLoss < best.valLoss - options.minDelta) {
        tf.dispose(best.weights);
        best = { epoch, valLoss, weights: network.getWeights().map((w) => w.clone()) };
      } else if (epoch - best.epoch >= options.patience) {
        stopReason = 'early-stopping';
        break;
      }
      // Yield to the event loop so a long training run does not starve timers and I/O.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (best.weights.length > 0) network.setWeights(best.weights);
  } finally {
    tf.dispose([xTrain, yTrain, wTrain, xVal, yVal, wVal, ...best.weights]);
    optimizer.dispose();
  }
  return {
    epochs,
    bestEpoch: best.epoch,
    bestValLoss: best.valLoss,
    stopReason,
    plateauEpoch,
    durationMs: performance.now() - started,
  };
}
