import { asRecord, nonNegative, ratio, subscribe, text } from './subscribe';
import type { TelemetryMetrics } from './telemetry-metrics';
import type { Detach, EventSource, ModelEventMap, ModelInstrumentationOptions } from './types';
import { InvalidTelemetryOptionsError } from './errors';

/**
 * Records a model's prediction latency, predictions and fallbacks, and the scores of its last
 * evaluation, under a `model` label. Returns a detach that removes its listeners.
 */
export function instrumentModel(model: EventSource, metrics: TelemetryMetrics, options: ModelInstrumentationOptions = {}): Detach {
  const name = options.model ?? 'default';
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidTelemetryOptionsError(`model must be a non-empty string, got ${String(name)}`);
  }
  const labels = { model: metrics.labels.model.label(name) };
  return subscribe<ModelEventMap>(
    model,
    {
      prediction: (payload) => {
        const event = asRecord(payload);
        const seconds = nonNegative(event.latencyMs) / 1000;
        if (typeof event.fallback !== 'boolean') throw new TypeError('fallback');
        const reason = event.fallback ? metrics.labels.fallbackReason.label(text(event.reason, 'unknown')) : undefined;
        metrics.neuralPredictionLatency.observe(labels, seconds);
        metrics.neuralPredictions.inc(labels);
        if (reason !== undefined) metrics.neuralFallbacks.inc({ ...labels, reason });
      },
      evaluation: (payload) => {
        const event = asRecord(payload);
        // Validate every score before setting any, so a bad event leaves no half-updated gauges.
        const scores = [
          [metrics.neuralAccuracy, ratio(event.accuracy)],
          [metrics.neuralBalancedAccuracy, event.balancedAccuracy === undefined ? undefined : ratio(event.balancedAccuracy)],
          [metrics.neuralF1, event.f1 === undefined ? undefined : ratio(event.f1)],
          [metrics.neuralPrecision, event.precision === undefined ? undefined : ratio(event.precision)],
          [metrics.neuralRecall, event.recall === undefined ? undefined : ratio(event.recall)],
        ] as const;
        for (const [gauge, value] of scores) if (value !== undefined) gauge.set(labels, value);
      },
    },
    (event) => metrics.invalidEvents.inc({ event }),
  );
}
