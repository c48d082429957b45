import { BREAKER_STATE_VALUE } from './metric-names';
import { asRecord, oneOf, subscribe, text, type Handlers } from './subscribe';
import { zeroInvalidEvents, type TelemetryMetrics } from './telemetry-metrics';
import type { BreakerEventMap, BreakerState, Detach, EventSource } from './types';

const STATES = Object.keys(BREAKER_STATE_VALUE) as BreakerState[];

/** Key label of a breaker that reports none (a single, unkeyed breaker). */
export const DEFAULT_BREAKER_KEY = 'default';

/**
 * Records a circuit breaker's (or breaker group's) state per key, its transitions and its
 * rejections; a group's breakers appear at 0 (closed) as soon as they exist. Returns a detach
 * that removes its listeners.
 */
export function instrumentBreaker(breaker: EventSource, metrics: TelemetryMetrics): Detach {
  const { labels } = metrics;
  const setState = (key: unknown, state: BreakerState): void => {
    metrics.breakerState.set(
      { key: labels.breakerKey.label(text(key, DEFAULT_BREAKER_KEY)) },
      BREAKER_STATE_VALUE[state],
    );
  };
  const handlers: Handlers<BreakerEventMap> = {
    stateChange: (payload) => {
      const event = asRecord(payload);
      const from = oneOf(event.from, STATES);
      const to = oneOf(event.to, STATES);
      setState(event.key, to);
      metrics.breakerTransitions.inc({ from, to });
    },
    rejected: (payload) => {
      const event = payload === undefined ? {} : asRecord(payload);
      metrics.breakerRejections.inc({ key: labels.breakerKey.label(text(event.key, DEFAULT_BREAKER_KEY)) });
    },
    // A new breaker is closed: its gauge exists (0) from then on, not only after a first transition.
    created: (payload) => setState(asRecord(payload).key, 'closed'),
  };
  const detach = subscribe<BreakerEventMap>(breaker, handlers, (event) => metrics.invalidEvents.inc({ event }));
  zeroInvalidEvents(metrics, handlers);
  // Breakers made before we attached (a group exposing keys() and state()).
  const group = breaker as { keys?: unknown; state?: unknown };
  if (typeof group.keys === 'function' && typeof group.state === 'function') {
    for (const key of (group.keys as () => unknown[])()) {
      const state = (group.state as (k: unknown) => unknown)(key);
      if (STATES.includes(state as BreakerState)) setState(key, state as BreakerState);
    }
  }
  return detach;
}
