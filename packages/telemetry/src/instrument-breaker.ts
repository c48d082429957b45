import { BREAKER_STATE_VALUE } from './metric-names';
import { asRecord, oneOf, subscribe, text } from './subscribe';
import type { TelemetryMetrics } from './telemetry-metrics';
import type { BreakerEventMap, BreakerState, Detach, EventSource } from './types';

const STATES = Object.keys(BREAKER_STATE_VALUE) as BreakerState[];

/** Key label of a breaker that reports none (a single, unkeyed breaker). */
export const DEFAULT_BREAKER_KEY = 'default';

/**
 * Records a circuit breaker's (or breaker group's) state per key, its transitions and its
 * rejections. Returns a detach that removes its listeners.
 */
export function instrumentBreaker(breaker: EventSource, metrics: TelemetryMetrics): Detach {
  const { labels } = metrics;
  return subscribe<BreakerEventMap>(
    breaker,
    {
      stateChange: (payload) => {
        const event = asRecord(payload);
        const from = oneOf(event.from, STATES);
        const to = oneOf(event.to, STATES);
        const key = labels.breakerKey.label(text(event.key, DEFAULT_BREAKER_KEY));
        metrics.breakerState.set({ key }, BREAKER_STATE_VALUE[to]);
        metrics.breakerTransitions.inc({ from, to });
      },
      rejected: (payload) => {
        const event = payload === undefined ? {} : asRecord(payload);
        metrics.breakerRejections.inc({ key: labels.breakerKey.label(text(event.key, DEFAULT_BREAKER_KEY)) });
      },
    },
    (event) => metrics.invalidEvents.inc({ event }),
  );
}
