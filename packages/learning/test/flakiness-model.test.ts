import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { InvalidOptionsError } from '@agentlink/resilience';
import type * as tf from '@tensorflow/tfjs';
import { ModelDisposedError, ModelFormatError } from '../src/errors';
import { FlakinessModel } from '../src/flakiness-model';
import { METADATA_FILE, TOPOLOGY_FILE, WEIGHTS_FILE } from '../src/model-files';
import { trainFlakinessModel } from '../src/train-model';
import type { PredictionEvent, EvaluationEvent } from '../src/types';
import { syntheticDataset, tempDirectory } from './fixtures';

const data = syntheticDataset(300, 21);
const { dir, cleanup } = tempDirectory();
let model: FlakinessModel;

beforeAll(async () => {
  ({ model } = await trainFlakinessModel(data, {
    hiddenUnits: [16, 8],
    maxEpochs: 30,
    patience: 5,
    learningRate: 0.01,
    seed: 5,
  }));
});
afterAll(() => {
  model.dispose();
  cleanup();
});

describe('save and load', () => {
  it('a loaded model gives identical probabilities, threshold and answers', async () => {
    const target = path.join(dir, 'model');
    await model.save(target);
    const loaded = await FlakinessModel.load(target);
    expect(Array.from(loaded.predictProbabilities(data.features))).toEqual(
      Array.from(model.predictProbabilities(data.features)),
    );
    expect(loaded.threshold).toBe(model.threshold);
    expect(loaded.featureNames).toEqual(['a', 'b', 'c', 'noise']);
    for (const row of data.features.slice(0, 10))
      expect(await loaded.predict(row, { deadlineMs: 30_000 })).toEqual(
        await model.predict(row, { deadlineMs: 30_000 }),
      );
    loaded.dispose();
  });

  it('reports a missing or damaged directory with ERR_MODEL_FORMAT', async () => {
    await expect(FlakinessModel.load(path.join(dir, 'absent'))).rejects.toBeInstanceOf(ModelFormatError);
    const target = path.join(dir, 'damaged');
    await model.save(target);
    rmSync(path.join(target, WEIGHTS_FILE));
    await expect(FlakinessModel.load(target)).rejects.toThrow(WEIGHTS_FILE);
    await model.save(target);
    writeFileSync(path.join(target, METADATA_FILE), JSON.stringify({ formatVersion: 2 }));
    await expect(FlakinessModel.load(target)).rejects.toThrow('formatVersion');
    await model.save(target);
    writeFileSync(path.join(target, TOPOLOGY_FILE), JSON.stringify({ weightsManifest: [] }));
    await expect(FlakinessModel.load(target)).rejects.toThrow('modelTopology');
    writeFileSync(
      path.join(target, TOPOLOGY_FILE),
      JSON.stringify({ modelTopology: { bad: true }, weightsManifest: [] }),
    );
    await expect(FlakinessModel.load(target)).rejects.toThrow('rebuilt');
    await model.save(target);
    writeFileSync(path.join(target, METADATA_FILE), JSON.stringify({ ...model.metadata, threshold: 7 }));
    await expect(FlakinessModel.load(target)).rejects.toThrow('threshold');
  });
});

describe('predict', () => {
  const title =
    'answers within the deadline with a probability, from arrays' +
    ' or named features, and emits a prediction event';
  it(title, async () => {
    const events: PredictionEvent[] = [];
    model.on('prediction', (event) => events.push(event));
    const answer = await model.predict(data.features[0], { deadlineMs: 60_000 });
    expect(answer.fallback).toBe(false);
    expect(answer.probability).toBeGreaterThanOrEqual(0);
    expect(answer.flaky).toBe((answer.probability as number) >= model.threshold);
    const [a, b, c, noise] = data.features[0];
    expect(await model.predict({ a, b, c, noise }, { deadlineMs: 60_000 })).toEqual(answer);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({ latencyMs: expect.any(Number), fallback: false });
    model.removeAllListeners('prediction');
  });

  it('returns the marked fallback when the model is too slow for the deadline', async () => {
    const events: PredictionEvent[] = [];
    model.on('prediction', (event) => events.push(event));
    const never = {
      data: () => new Promise<never>(() => undefined),
      dispose: () => undefined,
    } as unknown as tf.Tensor;
    const spy = jest.spyOn(model.network!, 'predict').mockReturnValue(never);
    const answer = await model.predict(data.features[0], { deadlineMs: 20 });
    spy.mockRestore();
    expect(answer).toMatchObject({ flaky: false, probability: null, fallback: true, reason: 'deadline' });
    expect(events).toEqual([{ latencyMs: expect.any(Number), fallback: true, reason: 'deadline' }]);
    model.removeAllListeners('prediction');
  });

  it('marks an answer that arrived after the deadline as a fallback', async () => {
    const started = performance.now();
    const slow = jest
      .spyOn(performance, 'now')
      .mockImplementation(() => started + (slow.mock.calls.length > 1 ? 1_000 : 0));
    const answer = await model.predict(data.features[0], { deadlineMs: 50 });
    slow.mockRestore();
    expect(answer).toMatchObject({ fallback: true, reason: 'deadline' });
  });

  it('returns the fallback with reason "error" for a broken model, bad input or a disposed model', async () => {
    const spy = jest.spyOn(model.network!, 'predict').mockImplementation(() => {
      throw new Error('kernel failed');
    });
    expect(await model.predict(data.features[0])).toMatchObject({
      fallback: true,
      reason: 'error',
      error: 'Error: kernel failed',
    });
    spy.mockRestore();
    expect(await model.predict([1, 2])).toMatchObject({
      fallback: true,
      reason: 'error',
      error: expect.stringContaining('ERR_FEATURE_MISMATCH'),
    });
    expect(await model.predict({ a: 1 })).toMatchObject({
      fallback: true,
      reason: 'error',
      error: expect.stringContaining('missing numeric feature'),
    });
    const configured = new FlakinessModel(model.network, model.metadata, { fallbackFlaky: true });
    const nan = { data: async () => new Float32Array([Number.NaN]), dispose: () => undefined } as unknown as tf.Tensor;
    const nanSpy = jest.spyOn(model.network!, 'predict').mockReturnValue(nan);
    expect(await configured.predict(data.features[0])).toMatchObject({ flaky: true, fallback: true, reason: 'error' });
    nanSpy.mockRestore();
  });

  it('validates its options', () => {
    expect(() => new FlakinessModel(model.network, model.metadata, { deadlineMs: 0 })).toThrow(InvalidOptionsError);
    expect(() => new FlakinessModel(model.network, { ...model.metadata, threshold: 2 })).toThrow(InvalidOptionsError);
    expect(
      () => new FlakinessModel(model.network, { ...model.metadata, scaler: { ...model.metadata.scaler, mean: [] } }),
    ).toThrow('scaler parameters');
  });
});

describe('evaluate', () => {
  it('scores labelled rows at the threshold and emits an evaluation event with the telemetry payload', () => {
    const events: EvaluationEvent[] = [];
    model.on('evaluation', (event) => events.push(event));
    const metrics = model.evaluate(data.features, data.labels);
    expect(events).toEqual([
      {
        accuracy: metrics.accuracy,
        balancedAccuracy: metrics.balancedAccuracy,
        f1: metrics.f1,
        precision: metrics.precision,
        recall: metrics.recall,
      },
    ]);
    expect(metrics.f1).toBeGreaterThan(0.6);
    model.removeAllListeners('evaluation');
  });
});

describe('dispose', () => {
  it('frees the network; later calls fail with ERR_MODEL_DISPOSED or answer with the fallback', async () => {
    const target = path.join(dir, 'to-dispose');
    await model.save(target);
    const copy = await FlakinessModel.load(target);
    copy.dispose();
    copy.dispose();
    expect(() => copy.predictProbabilities(data.features)).toThrow(ModelDisposedError);
    await expect(copy.save(target)).rejects.toBeInstanceOf(ModelDisposedError);
    expect(await copy.predict(data.features[0])).toMatchObject({
      fallback: true,
      reason: 'error',
      error: expect.stringContaining('ERR_MODEL_DISPOSED'),
    });
  });
});
