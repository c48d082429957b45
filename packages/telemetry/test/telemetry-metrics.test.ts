import { describe, it, expect } from '@jest/globals';
import { Registry } from 'prom-client';
import {
  createTelemetryMetrics,
  InvalidTelemetryOptionsError,
  METRIC_NAMES,
  MetricsAlreadyRegisteredError,
  TelemetryMetrics,
} from '../src/index';
import { CATALOGUE } from './support/catalogue';
import { valueOf } from './support/metric-samples';


describe('TelemetryMetrics catalogue', () => {
  it('registers every catalogue metric with its type and bounded label names', async () => {
    const metrics = createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 });
    const json = await metrics.registry.getMetricsAsJSON();
    expect(json.map((m) => m.name).sort()).toEqual(Object.keys(CATALOGUE).sort());
    expect(Object.values(METRIC_NAMES).sort()).toEqual(Object.keys(CATALOGUE).sort());
    for (const m of json) {
      const [type, labels] = CATALOGUE[m.name];
      expect([m.name, String(m.type)]).toEqual([m.name, type]);
      const metric = metrics.registry.getSingleMetric(m.name) as unknown as { labelNames: string[] };
      expect([m.name, [...metric.labelNames].sort()]).toEqual([m.name, [...labels].sort()]);
    }
  });

  it('follows Prometheus naming: _total on counters only, units in names', async () => {
    const metrics = createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 });
    for (const m of await metrics.registry.getMetricsAsJSON()) {
      expect(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(m.name)).toBe(true);
      expect([m.name, m.name.endsWith('_total')]).toEqual([m.name, String(m.type) === 'counter']);
      if (String(m.type) === 'histogram') expect(m.name).toMatch(/_seconds$/);
    }
  });

  it('exposes connection gauges at 0 from the first scrape', async () => {
    const text = await createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 }).metrics();
    expect(text).toContain('quic_connections_active{direction="inbound"} 0');
    expect(text).toContain('tcp_connections_active{direction="outbound"} 0');
  });

  it('registers the process and Node.js default metrics unless turned off', async () => {
    const withDefaults = createTelemetryMetrics({ memoryLimitBytes: 1 });
    const names = (await withDefaults.registry.getMetricsAsJSON()).map((m) => m.name);
    for (const name of [
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(names).toContain(name);
    }
    const without = createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 });
    expect((await without.registry.getMetricsAsJSON()).map((m) => m.name)).not.toContain(
      'process_resident_memory_bytes',
    );
  });

  it('sets the memory limit from options or detects one', async () => {
    const given = createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 2048 });
    expect(await valueOf(given.memoryLimit, {})).toBe(2048);
    const detected = createTelemetryMetrics({ defaultMetrics: false });
    expect(await valueOf(detected.memoryLimit, {})).toBeGreaterThan(0);
  });

  it('adds default labels to every series', async () => {
    const metrics = createTelemetryMetrics({
      defaultMetrics: false,
      memoryLimitBytes: 1,
      defaultLabels: { agent: 'coordinator' },
    });
    expect(await metrics.metrics()).toContain('agentlink_memory_limit_bytes{agent="coordinator"} 1');
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('gives each instance its own registry', () => {
    const a = new TelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 });
    const b = new TelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 });
    expect(a.registry).not.toBe(b.registry);
  });

  it('refuses a registry that already holds its metrics', () => {
    const registry = new Registry();
    createTelemetryMetrics({ registry, memoryLimitBytes: 1 });
    expect(() => createTelemetryMetrics({ registry, memoryLimitBytes: 1 })).toThrow(MetricsAlreadyRegisteredError);
  });

  it('refuses to register default metrics twice on one registry', () => {
    const registry = new Registry();
    const first = createTelemetryMetrics({ registry, memoryLimitBytes: 1 });
    for (const name of Object.values(METRIC_NAMES)) first.registry.removeSingleMetric(name);
    expect(() => createTelemetryMetrics({ registry, memoryLimitBytes: 1 })).toThrow(/process_cpu_user_seconds_total/);
    expect(() => createTelemetryMetrics({ registry, memoryLimitBytes: 1, defaultMetrics: false })).not.toThrow();
  });

  it.each([
    ['memoryLimitBytes 0', { memoryLimitBytes: 0 }],
    ['memoryLimitBytes NaN', { memoryLimitBytes: Number.NaN }],
    ['a registry that is not one', { registry: {} }],
    ['a bad default label name', { defaultLabels: { 'bad-name': 'x' } }],
    ['a non-string default label value', { defaultLabels: { agent: 1 } }],
    ['maxMethods 0', { maxMethods: 0 }],
    ['maxPeers -1', { maxPeers: -1 }],
    ['maxLabelValues 1.5', { maxLabelValues: 1.5 }],
  ])('rejects %s with InvalidTelemetryOptionsError', (_name, options) => {
    expect(() => createTelemetryMetrics({ defaultMetrics: false, ...(options as object) })).toThrow(
      InvalidTelemetryOptionsError,
    );
  });

  it('rejects options that are not an object', () => {
    expect(() => createTelemetryMetrics(null as never)).toThrow(InvalidTelemetryOptionsError);
  });
});
