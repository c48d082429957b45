import { describe, it, expect } from '@jest/globals';
import {
  createTelemetryMetrics,
  InvalidTelemetryOptionsError,
  METRIC_NAMES,
  MetricsAlreadyRegisteredError,
  OVERFLOW_LABEL,
} from '../src/index';
import type { AppMetricOptions, AppMetricSample, TelemetryMetrics } from '../src/index';
import { valueOf } from './support/metric-samples';
import { LINT_REFUSED_NAMES } from './support/refused-names';

function fresh(options: Parameters<typeof createTelemetryMetrics>[0] = {}): TelemetryMetrics {
  return createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1, ...options });
}

/** The exposition lines of one metric, without HELP and TYPE. */
async function seriesOf(metrics: TelemetryMetrics, name: string): Promise<string[]> {
  const lines = (await metrics.metrics()).split('\n');
  return lines.filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

async function invalidCount(metrics: TelemetryMetrics, name: string): Promise<number | undefined> {
  return valueOf(metrics.invalidEvents, { event: name });
}

describe('defineCounter', () => {
  it('exposes exactly what was added, with HELP, TYPE and the default labels', async () => {
    const metrics = fresh({ defaultLabels: { agent: 'executor-1' } });
    const jobs = metrics.defineCounter({
      name: 'app_jobs_total',
      help: 'Jobs done, by outcome.',
      labelNames: ['outcome'],
    });
    jobs.inc({ outcome: 'ok' });
    jobs.inc({ outcome: 'ok' }, 2.5);
    jobs.inc({ outcome: 'failed' }, 0);
    const text = await metrics.metrics();
    expect(text).toContain('# HELP app_jobs_total Jobs done, by outcome.\n# TYPE app_jobs_total counter\n');
    expect(await seriesOf(metrics, 'app_jobs_total')).toEqual([
      'app_jobs_total{outcome="ok",agent="executor-1"} 3.5',
      'app_jobs_total{outcome="failed",agent="executor-1"} 0',
    ]);
    expect(jobs.name).toBe('app_jobs_total');
  });

  it('shows an unlabelled counter at 0 from the first scrape and adds 1 by default', async () => {
    const metrics = fresh();
    const restarts = metrics.defineCounter({ name: 'app_restarts_total', help: 'Restarts.' });
    expect(await seriesOf(metrics, 'app_restarts_total')).toEqual(['app_restarts_total 0']);
    restarts.inc();
    restarts.inc(4);
    restarts.inc(undefined, 2);
    expect(await seriesOf(metrics, 'app_restarts_total')).toEqual(['app_restarts_total 7']);
  });

  it('mirrors a count kept elsewhere through collect, read at every scrape', async () => {
    const metrics = fresh();
    const stats = { accepted: 0 };
    metrics.defineCounter({ name: 'app_accepted_total', help: 'Accepted.', collect: () => stats.accepted });
    expect(await seriesOf(metrics, 'app_accepted_total')).toEqual(['app_accepted_total 0']);
    stats.accepted = 12;
    expect(await seriesOf(metrics, 'app_accepted_total')).toEqual(['app_accepted_total 12']);
    stats.accepted = 13;
    expect(await seriesOf(metrics, 'app_accepted_total')).toEqual(['app_accepted_total 13']);
  });

  it('refuses negative, non-finite and non-numeric increments without throwing, and counts them', async () => {
    const metrics = fresh();
    const jobs = metrics.defineCounter({ name: 'app_jobs_total', help: 'Jobs.', labelNames: ['outcome'] });
    jobs.inc({ outcome: 'ok' }, 1);
    expect(() => {
      jobs.inc({ outcome: 'ok' }, -1);
      jobs.inc({ outcome: 'ok' }, Number.NaN);
      jobs.inc(Number.POSITIVE_INFINITY);
      jobs.inc({ outcome: 'ok' }, '2' as never);
    }).not.toThrow();
    expect(await seriesOf(metrics, 'app_jobs_total')).toEqual(['app_jobs_total{outcome="ok"} 1']);
    expect(await invalidCount(metrics, 'app_jobs_total')).toBe(4);
  });
});

describe('defineGauge', () => {
  it('sets exact values, negative ones included, with and without labels', async () => {
    const metrics = fresh({ defaultLabels: { agent: 'coordinator' } });
    const depth = metrics.defineGauge({ name: 'app_queue_depth', help: 'Queued jobs.', labelNames: ['queue'] });
    depth.set({ queue: 'fast' }, 4);
    depth.set({ queue: 'fast' }, 3);
    depth.set({ queue: 'slow' }, -2);
    const temperature = metrics.defineGauge({ name: 'app_temperature_celsius', help: 'Temperature.' });
    temperature.set(21.5);
    expect(await seriesOf(metrics, 'app_queue_depth')).toEqual([
      'app_queue_depth{queue="fast",agent="coordinator"} 3',
      'app_queue_depth{queue="slow",agent="coordinator"} -2',
    ]);
    expect(await seriesOf(metrics, 'app_temperature_celsius')).toEqual([
      'app_temperature_celsius{agent="coordinator"} 21.5',
    ]);
    expect((await metrics.metrics()).includes('# TYPE app_queue_depth gauge\n')).toBe(true);
  });

  it('replaces every series with what collect reports at each scrape', async () => {
    const metrics = fresh();
    let open = 5;
    const states = (): Array<{ labels: { state: string }; value: number }> =>
      open > 0
        ? [
            { labels: { state: 'done' }, value: 10 - open },
            { labels: { state: 'open' }, value: open },
          ]
        : [{ labels: { state: 'done' }, value: 10 }];
    metrics.defineGauge({ name: 'app_tasks', help: 'Tasks by state.', labelNames: ['state'], collect: states });
    expect(await seriesOf(metrics, 'app_tasks')).toEqual(['app_tasks{state="done"} 5', 'app_tasks{state="open"} 5']);
    open = 0;
    expect(await seriesOf(metrics, 'app_tasks')).toEqual(['app_tasks{state="done"} 10']);
  });

  it('refuses non-finite values and unknown labels, and counts them', async () => {
    const metrics = fresh();
    const depth = metrics.defineGauge({ name: 'app_queue_depth', help: 'Queued jobs.', labelNames: ['queue'] });
    depth.set({ queue: 'fast' }, 1);
    depth.set({ queue: 'fast' }, Number.NaN);
    depth.set({ queue: 'fast' }, undefined as never);
    depth.set({ shard: 'x' }, 1);
    depth.set({ queue: { nested: true } } as never, 1);
    depth.set('fast' as never, 1);
    depth.set(null as never, 1);
    expect(await seriesOf(metrics, 'app_queue_depth')).toEqual(['app_queue_depth{queue="fast"} 1']);
    expect(await invalidCount(metrics, 'app_queue_depth')).toBe(6);
  });
});

describe('label cardinality', () => {
  it('records values past maxLabelValues as "other", without spending slots on rejected samples', async () => {
    const metrics = fresh();
    const hits = metrics.defineCounter({
      name: 'app_hits_total',
      help: 'Hits.',
      labelNames: ['path', 'code'],
      maxLabelValues: 2,
    });
    hits.inc({ path: '/never', code: 200 }, Number.NaN); // rejected: takes no slot
    for (const path of ['/a', '/b', '/c', '/d']) hits.inc({ path, code: 200 });
    hits.inc({ path: '/a', code: 404 });
    hits.inc({ path: '/a', code: 500 });
    expect(
      await valueOf(metrics.registry.getSingleMetric('app_hits_total') as never, { path: '/a', code: '200' }),
    ).toBe(1);
    expect(
      await valueOf(metrics.registry.getSingleMetric('app_hits_total') as never, {
        path: OVERFLOW_LABEL,
        code: '200',
      }),
    ).toBe(2);
    expect(
      await valueOf(metrics.registry.getSingleMetric('app_hits_total') as never, { path: '/a', code: OVERFLOW_LABEL }),
    ).toBe(1);
    expect(await seriesOf(metrics, 'app_hits_total')).toHaveLength(5);
  });

  it('defaults to the TelemetryMetrics maxLabelValues and adds up collected samples that share labels', async () => {
    const metrics = fresh({ maxLabelValues: 1 });
    metrics.defineGauge({
      name: 'app_workers',
      help: 'Workers by pool.',
      labelNames: ['pool'],
      collect: () => [
        { labels: { pool: 'a' }, value: 1 },
        { labels: { pool: 'b' }, value: 2 },
        { labels: { pool: 'c' }, value: 3 },
      ],
    });
    expect(await seriesOf(metrics, 'app_workers')).toEqual(['app_workers{pool="a"} 1', 'app_workers{pool="other"} 5']);
  });
});

describe('collect that misbehaves', () => {
  it('keeps the last values and counts the failure when collect throws or answers garbage', async () => {
    const metrics = fresh();
    let answer: () => unknown = () => 7;
    metrics.defineCounter({ name: 'app_seen_total', help: 'Seen.', collect: () => answer() as number });
    expect(await seriesOf(metrics, 'app_seen_total')).toEqual(['app_seen_total 7']);
    answer = () => {
      throw new Error('source gone');
    };
    expect(await seriesOf(metrics, 'app_seen_total')).toEqual(['app_seen_total 7']);
    answer = () => 'eight';
    expect(await seriesOf(metrics, 'app_seen_total')).toEqual(['app_seen_total 7']);
    expect(await invalidCount(metrics, 'app_seen_total')).toBe(2);
  });

  it('skips bad samples and keeps the good ones', async () => {
    const metrics = fresh();
    metrics.defineCounter({
      name: 'app_seen_total',
      help: 'Seen.',
      labelNames: ['kind'],
      collect: (): AppMetricSample[] => [
        { labels: { kind: 'a' }, value: 2 },
        { labels: { kind: 'b' }, value: -1 },
        null as never,
        { labels: { other: 'x' }, value: 1 },
      ],
    });
    expect(await seriesOf(metrics, 'app_seen_total')).toEqual(['app_seen_total{kind="a"} 2']);
    expect(await invalidCount(metrics, 'app_seen_total')).toBe(3);
  });
});

describe('definitions refused', () => {
  it.each<[string, 'counter' | 'gauge', string]>([
    ['a name with a dash', 'counter', 'app-jobs_total'],
    ['a name starting with a digit', 'gauge', '1app_jobs'],
    ['an empty name', 'gauge', ''],
    ...LINT_REFUSED_NAMES,
  ])('%s: InvalidTelemetryOptionsError', (_why, type, name) => {
    const metrics = fresh();
    const define = type === 'counter' ? metrics.defineCounter.bind(metrics) : metrics.defineGauge.bind(metrics);
    expect(() => define({ name, help: 'x' })).toThrow(InvalidTelemetryOptionsError);
    expect(metrics.registry.getSingleMetric(name)).toBeUndefined();
  });

  it.each<[string, Partial<AppMetricOptions> | null]>([
    ['options that are not an object', null],
    ['a name that is not a string', { name: 3 as never }],
    ['no help text', { help: ' ' }],
    ['labelNames that are not an array', { labelNames: 'state' as never }],
    ['a label name with a dash', { labelNames: ['bad-label'] }],
    ['the histogram label le', { labelNames: ['le'] }],
    ['a reserved __ label', { labelNames: ['__meta'] }],
    ['a camelCase label', { labelNames: ['queueName'] }],
    ['a label listed twice', { labelNames: ['state', 'state'] }],
    ['a default label again', { labelNames: ['agent'] }],
    ['a collect that is not a function', { collect: 1 as never }],
    ['maxLabelValues 0', { maxLabelValues: 0 }],
    ['maxLabelValues 1.5 without labels', { maxLabelValues: 1.5, labelNames: [] }],
  ])('%s: InvalidTelemetryOptionsError', (_why, override) => {
    const metrics = fresh({ defaultLabels: { agent: 'a' } });
    const options = override === null ? null : { name: 'app_jobs_total', help: 'Jobs.', ...override };
    expect(() => metrics.defineCounter(options as AppMetricOptions)).toThrow(InvalidTelemetryOptionsError);
  });

  it('refuses a name the registry already holds with MetricsAlreadyRegisteredError', () => {
    const metrics = fresh();
    metrics.defineGauge({ name: 'app_queue_depth', help: 'Queued jobs.' });
    expect(() => metrics.defineGauge({ name: 'app_queue_depth', help: 'Again.' })).toThrow(
      MetricsAlreadyRegisteredError,
    );
    expect(() => metrics.defineCounter({ name: METRIC_NAMES.errors, help: 'Mine.' })).toThrow(
      MetricsAlreadyRegisteredError,
    );
    const error = (() => {
      try {
        metrics.defineGauge({ name: METRIC_NAMES.quicConnectionsActive, help: 'Mine.' });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toMatchObject({
      code: 'ERR_METRICS_ALREADY_REGISTERED',
      metricName: 'quic_connections_active',
      retryable: false,
    });
  });

  it('refuses a prom-client default metric name', () => {
    const metrics = createTelemetryMetrics({ memoryLimitBytes: 1 });
    expect(() => metrics.defineCounter({ name: 'process_cpu_seconds_total', help: 'Mine.' })).toThrow(
      MetricsAlreadyRegisteredError,
    );
  });
});
