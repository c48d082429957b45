import { EventEmitter } from 'node:events';
import { describe, it, expect } from '@jest/globals';
import { BREAKER_STATE_VALUE, createTelemetryMetrics, instrumentBreaker } from '../src/index';
import { samplesOf, valueOf } from './support/metric-samples';

function setup(options: Parameters<typeof createTelemetryMetrics>[0] = {}) {
  const metrics = createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1, ...options });
  const breaker = new EventEmitter();
  return { metrics, breaker, detach: instrumentBreaker(breaker, metrics) };
}

describe('instrumentBreaker', () => {
  it('sets the state gauge per key and counts transitions and rejections', async () => {
    const { metrics, breaker } = setup();
    breaker.emit('stateChange', { key: 'executor-1', from: 'closed', to: 'open' });
    breaker.emit('rejected', { key: 'executor-1' });
    breaker.emit('rejected', { key: 'executor-1' });
    breaker.emit('stateChange', { key: 'executor-1', from: 'open', to: 'half-open' });
    breaker.emit('stateChange', { key: 'executor-2', from: 'closed', to: 'open' });
    breaker.emit('stateChange', { key: 'executor-1', from: 'half-open', to: 'closed' });

    expect(await valueOf(metrics.breakerState, { key: 'executor-1' })).toBe(BREAKER_STATE_VALUE.closed);
    expect(await valueOf(metrics.breakerState, { key: 'executor-2' })).toBe(BREAKER_STATE_VALUE.open);
    expect(await valueOf(metrics.breakerTransitions, { from: 'closed', to: 'open' })).toBe(2);
    expect(await valueOf(metrics.breakerTransitions, { from: 'open', to: 'half-open' })).toBe(1);
    expect(await valueOf(metrics.breakerTransitions, { from: 'half-open', to: 'closed' })).toBe(1);
    expect(await valueOf(metrics.breakerRejections, { key: 'executor-1' })).toBe(2);
  });

  it("labels an unkeyed breaker 'default'", async () => {
    const { metrics, breaker } = setup();
    breaker.emit('stateChange', { from: 'closed', to: 'half-open' });
    breaker.emit('rejected', undefined);
    breaker.emit('rejected', {});
    expect(await valueOf(metrics.breakerState, { key: 'default' })).toBe(1);
    expect(await valueOf(metrics.breakerRejections, { key: 'default' })).toBe(2);
  });

  it('bounds breaker keys at maxPeers', async () => {
    const { metrics, breaker } = setup({ maxPeers: 1 });
    breaker.emit('stateChange', { key: 'a', from: 'closed', to: 'open' });
    breaker.emit('stateChange', { key: 'b', from: 'closed', to: 'open' });
    expect((await samplesOf(metrics.breakerState)).map((s) => s.labels.key).sort()).toEqual(['a', 'other']);
  });

  it('ignores unknown states and counts them as invalid events', async () => {
    const { metrics, breaker } = setup();
    breaker.emit('stateChange', { key: 'a', from: 'closed', to: 'exploded' });
    breaker.emit('rejected', 42);
    expect(await samplesOf(metrics.breakerState)).toHaveLength(0);
    expect(await valueOf(metrics.invalidEvents, { event: 'stateChange' })).toBe(1);
    expect(await valueOf(metrics.invalidEvents, { event: 'rejected' })).toBe(1);
  });

  it('detach removes both listeners', () => {
    const { breaker, detach } = setup();
    expect(breaker.listenerCount('stateChange') + breaker.listenerCount('rejected')).toBe(2);
    detach();
    expect(breaker.listenerCount('stateChange') + breaker.listenerCount('rejected')).toBe(0);
  });
});
