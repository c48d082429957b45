import { EventEmitter } from 'node:events';
import { describe, it, expect } from '@jest/globals';
import { createTelemetryMetrics, instrumentModel, InvalidTelemetryOptionsError } from '../src/index';
import { samplesOf, valueOf } from './support/metric-samples';

function setup(model?: string) {
  const metrics = createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 });
  const emitter = new EventEmitter();
  return { metrics, emitter, detach: instrumentModel(emitter, metrics, model === undefined ? undefined : { model }) };
}

describe('instrumentModel', () => {
  it('counts predictions and fallbacks by reason and observes latency', async () => {
    const { metrics, emitter } = setup('flakiness');
    emitter.emit('prediction', { latencyMs: 2, fallback: false });
    emitter.emit('prediction', { latencyMs: 4, fallback: false });
    emitter.emit('prediction', { latencyMs: 100, fallback: true, reason: 'deadline' });
    emitter.emit('prediction', { latencyMs: 1, fallback: true });

    const model = { model: 'flakiness' };
    expect(await valueOf(metrics.neuralPredictions, model)).toBe(4);
    expect(await valueOf(metrics.neuralFallbacks, { ...model, reason: 'deadline' })).toBe(1);
    expect(await valueOf(metrics.neuralFallbacks, { ...model, reason: 'unknown' })).toBe(1);
    expect(await valueOf(metrics.neuralPredictionLatency, model, 'neural_prediction_latency_seconds_count')).toBe(4);
    expect(await valueOf(metrics.neuralPredictionLatency, model, 'neural_prediction_latency_seconds_sum')).toBeCloseTo(
      0.107,
      9,
    );
    expect(
      await valueOf(
        metrics.neuralPredictionLatency,
        { ...model, le: 0.0025 },
        'neural_prediction_latency_seconds_bucket',
      ),
    ).toBe(2);
    expect(
      await valueOf(
        metrics.neuralPredictionLatency,
        { ...model, le: 0.1 },
        'neural_prediction_latency_seconds_bucket',
      ),
    ).toBe(4);
  });

  it('sets every score an evaluation reports and only those', async () => {
    const { metrics, emitter } = setup();
    emitter.emit('evaluation', { accuracy: 0.91, balancedAccuracy: 0.85, f1: 0.7 });
    const model = { model: 'default' };
    expect(await valueOf(metrics.neuralAccuracy, model)).toBe(0.91);
    expect(await valueOf(metrics.neuralBalancedAccuracy, model)).toBe(0.85);
    expect(await valueOf(metrics.neuralF1, model)).toBe(0.7);
    expect(await samplesOf(metrics.neuralPrecision)).toHaveLength(0);
    emitter.emit('evaluation', { accuracy: 0.75, precision: 0.5, recall: 0.25 });
    expect(await valueOf(metrics.neuralAccuracy, model)).toBe(0.75);
    expect(await valueOf(metrics.neuralPrecision, model)).toBe(0.5);
    expect(await valueOf(metrics.neuralRecall, model)).toBe(0.25);
  });

  it('exports no accuracy before the first evaluation, so the accuracy alert cannot fire at start', async () => {
    const { metrics } = setup();
    expect(await samplesOf(metrics.neuralAccuracy)).toHaveLength(0);
    expect(await metrics.metrics()).not.toMatch(/^neural_accuracy\{/m);
  });

  it('rejects a whole evaluation with any score outside [0, 1]', async () => {
    const { metrics, emitter } = setup();
    emitter.emit('evaluation', { accuracy: 0.9, f1: 1.5 });
    emitter.emit('evaluation', { accuracy: Number.NaN });
    emitter.emit('prediction', { latencyMs: 1, fallback: 'yes' });
    emitter.emit('prediction', { latencyMs: -1, fallback: false });
    expect(await samplesOf(metrics.neuralAccuracy)).toHaveLength(0);
    expect(await samplesOf(metrics.neuralPredictions)).toHaveLength(0);
    expect(await valueOf(metrics.invalidEvents, { event: 'evaluation' })).toBe(2);
    expect(await valueOf(metrics.invalidEvents, { event: 'prediction' })).toBe(2);
  });

  it('rejects an empty model name with a typed error', () => {
    const metrics = createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 });
    expect(() => instrumentModel(new EventEmitter(), metrics, { model: '' })).toThrow(InvalidTelemetryOptionsError);
  });

  it('detach removes both listeners', () => {
    const { emitter, detach } = setup();
    detach();
    expect(emitter.listenerCount('prediction') + emitter.listenerCount('evaluation')).toBe(0);
  });
});
