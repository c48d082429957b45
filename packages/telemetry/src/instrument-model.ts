import { asRecord, nonNegative, ratio, subscribe, text, type Handlers } from './subscribe';
import { zeroInvalidEvents, type TelemetryMetrics } from './telemetry-metrics';
import type { Detach, EventSource, ModelEventMap, ModelInstrumentationOptions } from './types';
import { InvalidTelemetryOptionsError } from './errors';

/**
 * An optional score: absent, or NaN (undefined for this evaluation, e.g. precision with no
 * positive answer), is skipped.
 */
const optionalRatio = (value: unknown): number | undefined =>
  value === undefined || Number.isNaN(value) ? undefined : ratio(value);

/** Why @agentlink/learning answers with a fallback: the deadline passed, or the model failed. */
const FALLBACK_REASONS = ['deadline', 'error'] as const;

/**
 * Records a model's prediction latency, predictions and fallbacks, and the scores of its last
 * evaluation, under a `model` label. Returns a detach that removes its listeners.
 */
export function instrumentModel(
  model: EventSource,
  metrics: TelemetryMetrics,
  options: ModelInstrumentationOptions = {},
): Detach {
  const name = options.model ?? 'default';
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidTelemetryOptionsError(`model must be a non-empty string, got ${String(name)}`);
  }
  const labels = { model: metrics.labels.model.label(name) };
  // The fallback reasons a model reports, at 0 from the start: "no fallback yet" is data.
  for (const reason of FALLBACK_REASONS) {
    metrics.neuralFallbacks.inc({ ...labels, reason: metrics.labels.fallbackReason.label(reason) }, 0);
  }
  const handlers: Handlers<ModelEventMap> = {
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
        [metrics.neuralBalancedAccuracy, optionalRatio(event.balancedAccuracy)],
        [metrics.neuralF1, optionalRatio(event.f1)],
        [metrics.neuralPrecision, optionalRatio(event.precision)],
        [metrics.neuralRecall, optionalRatio(event.recall)],
      ] as const;
      for (const [gauge, value] of scores) if (value !== undefined) gauge.set(labels, value);
    },
  };
  const detach = subscribe<ModelEventMap>(model, handlers, (event) => metrics.invalidEvents.inc({ event }));
  zeroInvalidEvents(metrics, handlers);
  return detach;
}
