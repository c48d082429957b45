import { EventEmitter } from 'node:events';
import { describe, it, expect } from '@jest/globals';
import { createTelemetryMetrics, instrumentBreaker, instrumentModel, instrumentTransport } from '../src/index';
import { valueOf } from './support/metric-samples';

// Issue 16: network latency apart from application latency; counters and gauges present from the start.
const fresh = () => createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 });

describe('network and application latency, apart', () => {
  it('records ping round trips as network latency and handler times per method as application latency', async () => {
    const metrics = fresh();
    const source = new EventEmitter();
    instrumentTransport(source, metrics);
    source.emit('roundTrip', { transport: 'quic', peer: 'executor-1', rttMs: 40 });
    source.emit('requestHandled', { method: 'predictBatch', handlerMs: 2_000, outcome: 'ok' });
    source.emit('requestHandled', { method: 'ping', handlerMs: 0.1, outcome: 'error' });
    const text = await metrics.metrics();
    expect(text).toContain('agentlink_network_rtt_seconds_bucket{le="0.05",transport="quic"} 1');
    expect(text).toContain('agentlink_network_rtt_seconds_bucket{le="0.025",transport="quic"} 0');
    expect(text).toContain('agentlink_handler_duration_seconds_sum{method="predictBatch",outcome="ok"} 2');
    expect(text).toContain('agentlink_handler_duration_seconds_count{method="ping",outcome="error"} 1');
    // The slow handler is not network latency, and the round trip is not a request.
    expect(text).not.toMatch(/agentlink_network_rtt_seconds_count\{[^}]*\} 2/);
    expect(text).not.toContain('agentlink_request_duration_seconds_count');
    source.emit('roundTrip', { transport: 'quic', rttMs: -1 });
    expect(await valueOf(metrics.invalidEvents, { event: 'roundTrip' })).toBe(1);
  });
});

describe('present from the start', () => {
  it('exports the fallback and invalid-event counters at 0 once instrumented', async () => {
    const metrics = fresh();
    instrumentTransport(new EventEmitter(), metrics);
    instrumentModel(new EventEmitter(), metrics, { model: 'flakiness' });
    instrumentBreaker(new EventEmitter(), metrics);
    const text = await metrics.metrics();
    expect(text).toContain('agentlink_transport_fallbacks_total{from="quic",to="tcp"} 0');
    expect(text).toContain('neural_prediction_fallbacks_total{model="flakiness",reason="deadline"} 0');
    expect(text).toContain('neural_prediction_fallbacks_total{model="flakiness",reason="error"} 0');
    for (const event of [
      'connectionOpened',
      'certificateExpiry',
      'roundTrip',
      'prediction',
      'evaluation',
      'stateChange',
      'created',
    ]) {
      expect(text).toContain(`agentlink_telemetry_invalid_events_total{event="${event}"} 0`);
    }
  });

  it('shows a breaker at 0 (closed) from its creation, and those a group made before telemetry attached', async () => {
    const metrics = fresh();
    const group = Object.assign(new EventEmitter(), {
      keys: () => ['executor-1', 'executor-2'],
      state: (k: string) => (k === 'executor-2' ? 'open' : 'closed'),
    });
    instrumentBreaker(group, metrics);
    expect(await valueOf(metrics.breakerState, { key: 'executor-1' })).toBe(0);
    expect(await valueOf(metrics.breakerState, { key: 'executor-2' })).toBe(2);
    group.emit('created', { key: 'executor-3' });
    expect(await valueOf(metrics.breakerState, { key: 'executor-3' })).toBe(0);
  });

  it('skips an evaluation score that is NaN (undefined for that evaluation) and sets the rest', async () => {
    const metrics = fresh();
    const model = new EventEmitter();
    instrumentModel(model, metrics, { model: 'm' });
    model.emit('evaluation', {
      accuracy: 0.7,
      precision: Number.NaN,
      recall: 0,
      f1: Number.NaN,
      balancedAccuracy: 0.5,
    });
    expect(await valueOf(metrics.neuralAccuracy, { model: 'm' })).toBe(0.7);
    expect(await valueOf(metrics.neuralBalancedAccuracy, { model: 'm' })).toBe(0.5);
    expect(await valueOf(metrics.invalidEvents, { event: 'evaluation' })).toBe(0);
  });
});
