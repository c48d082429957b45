import * as tf from '@tensorflow/tfjs';
import { nextSeed, type Random } from './prng';

const MEMBER_LAYER = /^member(\d+)_/;

/**
 * A dense network: `members` independent stacks of ReLU layers, each ending in one sigmoid unit,
 * averaged into the output (a single member is a plain multilayer perceptron). Averaging several
 * independently initialised members lowers the variance of the ranking; the whole ensemble is one
 * TF.js model, so it saves and loads as one model.json. Dropout is applied in the training loop.
 */
export function buildNetwork(
  inputWidth: number,
  hiddenUnits: readonly number[],
  random: Random,
  members = 1,
): tf.LayersModel {
  const input = tf.input({ shape: [inputWidth] });
  const outputs = Array.from({ length: members }, (_, m) => {
    let h = input;
    hiddenUnits.forEach((units, i) => {
      h = tf.layers
        .dense({
          units,
          activation: 'relu',
          name: `member${m}_hidden${i}`,
          kernelInitializer: tf.initializers.heNormal({ seed: nextSeed(random) }),
        })
        .apply(h) as tf.SymbolicTensor;
    });
    return tf.layers
      .dense({
        units: 1,
        activation: 'sigmoid',
        name: `member${m}_output`,
        kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed(random) }),
      })
      .apply(h) as tf.SymbolicTensor;
  });
  const output =
    members === 1 ? outputs[0] : (tf.layers.average({ name: 'ensemble_mean' }).apply(outputs) as tf.SymbolicTensor);
  return tf.model({ inputs: input, outputs: output });
}

/** The dense layers of each member, in order. */
function memberLayers(network: tf.LayersModel): tf.layers.Layer[][] {
  const members: tf.layers.Layer[][] = [];
  for (const layer of network.layers) {
    const match = MEMBER_LAYER.exec(layer.name);
    if (match !== null) (members[Number(match[1])] ??= []).push(layer);
  }
  return members;
}

/**
 * Forward pass for training: each member's output, with dropout (seeded from our PRNG) after
 * every hidden layer, so members train independently on the same batches. (TF.js Dropout layers
 * with a fixed seed draw the same mask on every call, and without one they use Math.random.)
 */
export function trainingForward(
  network: tf.LayersModel,
  x: tf.Tensor2D,
  dropout: number,
  random: Random,
): tf.Tensor2D[] {
  return memberLayers(network).map((layers) => {
    let h: tf.Tensor = x;
    layers.forEach((layer, i) => {
      h = layer.apply(h) as tf.Tensor;
      if (dropout > 0 && i < layers.length - 1) h = tf.dropout(h, dropout, undefined, nextSeed(random));
    });
    return h as tf.Tensor2D;
  });
}
