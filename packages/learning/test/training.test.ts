import { beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidOptionsError } from '@agentlink/resilience';
import { selectBackend } from '../src/backend';
import { TrainingDivergedError } from '../src/errors';
import { trainFlakinessModel } from '../src/train-model';
import { checkConvergence } from '../src/train-network';
import { classWeights, resolveTrainingOptions } from '../src/training-options';
import type { Dataset } from '../src/types';
import { syntheticDataset } from './fixtures';

const small = { hiddenUnits: [8], maxEpochs: 40, patience: 5, batchSize: 32, learningRate: 0.01 };

beforeAll(async () => {
  await selectBackend('auto');
});

describe('convergence checks', () => {
  it('a poisoned input (Infinity features) stops training with ERR_TRAINING_DIVERGED', async () => {
    const clean = syntheticDataset(120, 1);
    const poisoned: Dataset = {
      ...clean,
      features: clean.features.map((row, i) => (i === 5 ? [Number.POSITIVE_INFINITY, ...row.slice(1)] : row)),
    };
    let error: TrainingDivergedError | undefined;
    try {
      await trainFlakinessModel(poisoned, small);
    } catch (e) {
      error = e as TrainingDivergedError;
    }
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(error!.code).toBe('ERR_TRAINING_DIVERGED');
    expect(error!.reason).toBe('non-finite');
    expect(error!.epoch).toBe(1);
  });

  it('flags non-finite and diverging losses', () => {
    expect(() => checkConvergence(3, Number.NaN, 0.5, 0.4, 10)).toThrow(TrainingDivergedError);
    expect(() => checkConvergence(3, 0.5, Number.POSITIVE_INFINITY, 0.4, 10)).toThrow('Infinity');
    expect(() => checkConvergence(3, 5, 0.5, 0.4, 10)).toThrow('diverged');
    expect(() => checkConvergence(1, 5, 0.5, Number.POSITIVE_INFINITY, 10)).not.toThrow();
    expect(() => checkConvergence(3, 0.5, 0.5, 0.4, 10)).not.toThrow();
  });

  const title =
    'early stopping fires before the epoch limit on a plateau,' +
    ' restores the best epoch and reports the plateau';
  it(title, async () => {
    const flat = syntheticDataset(200, 2);
    // Constant features carry no signal: the loss settles on the class prior and stops improving.
    const plateau: Dataset = { ...flat, features: flat.features.map(() => [1, 1, 1, 1]) };
    const { history, model } = await trainFlakinessModel(plateau, {
      ...small,
      maxEpochs: 300,
      patience: 5,
      minDelta: 1e-3,
      plateauWindow: 5,
    });
    expect(history.stopReason).toBe('early-stopping');
    expect(history.epochs.length).toBeLessThan(300);
    expect(history.epochs.length).toBe(history.bestEpoch + 5);
    expect(history.plateauEpoch).not.toBeNull();
    model.dispose();
  });

  it('runs to the epoch limit when the validation loss keeps improving', async () => {
    const { history, model } = await trainFlakinessModel(syntheticDataset(200, 3), {
      ...small,
      maxEpochs: 3,
      patience: 50,
    });
    expect(history.stopReason).toBe('max-epochs');
    expect(history.epochs).toHaveLength(3);
    model.dispose();
  });
});

describe('training options', () => {
  it('fills defaults and rejects invalid values with ERR_INVALID_OPTIONS', () => {
    expect(resolveTrainingOptions({ seed: undefined }).seed).toBe(42);
    for (const bad of [
      { hiddenUnits: [] },
      { ensembleSize: 0 },
      { dropout: 1 },
      { learningRate: 0 },
      { batchSize: 1.5 },
      { maxEpochs: 0 },
      { patience: -1 },
      { minDelta: -1 },
      { classWeighting: 'x' },
      { validationFraction: 1 },
      { divergenceFactor: 1 },
      { plateauWindow: 0 },
      { plateauTolerance: -1 },
      { seed: 0.5 },
    ]) {
      expect(() => resolveTrainingOptions(bad as never)).toThrow(InvalidOptionsError);
    }
  });

  it('computes class weights from the training labels', () => {
    expect(classWeights(10, 90, 'balanced')).toEqual({ negative: 1, positive: 9 });
    expect(classWeights(10, 90, 'sqrt')).toEqual({ negative: 1, positive: 3 });
    expect(classWeights(10, 90, 'none')).toEqual({ negative: 1, positive: 1 });
    expect(classWeights(0, 90, 'balanced')).toEqual({ negative: 1, positive: 1 });
  });

  it('is reproducible: the same seed gives the same weights and threshold', async () => {
    const data = syntheticDataset(150, 4);
    const a = await trainFlakinessModel(data, { ...small, maxEpochs: 4, patience: 10, dropout: 0.2, seed: 11 });
    const b = await trainFlakinessModel(data, { ...small, maxEpochs: 4, patience: 10, dropout: 0.2, seed: 11 });
    expect(Array.from(a.model.predictProbabilities(data.features.slice(0, 5)))).toEqual(
      Array.from(b.model.predictProbabilities(data.features.slice(0, 5))),
    );
    expect(a.history.epochs).toEqual(b.history.epochs);
    a.model.dispose();
    b.model.dispose();
  });
});

describe('ensembles', () => {
  it('averages several independently initialised members in one model that saves and loads as one', async () => {
    const { tempDirectory } = await import('./fixtures');
    const { FlakinessModel } = await import('../src/flakiness-model');
    const data = syntheticDataset(150, 6);
    const { model } = await trainFlakinessModel(data, { ...small, maxEpochs: 5, ensembleSize: 3, dropout: 0.1 });
    expect(model.network!.layers.filter((layer) => layer.name.endsWith('_output'))).toHaveLength(3);
    const { dir, cleanup } = tempDirectory();
    await model.save(dir);
    const loaded = await FlakinessModel.load(dir);
    expect(Array.from(loaded.predictProbabilities(data.features))).toEqual(
      Array.from(model.predictProbabilities(data.features)),
    );
    loaded.dispose();
    model.dispose();
    cleanup();
  });
});
