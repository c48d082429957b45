import type { TelemetryMetrics } from '../../src/index';

/** Series Prometheus itself adds for every target, which no registry exposes. */
export const PROMETHEUS_SYNTHETIC_SERIES = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_series_added',
];

/** Every series name a registry's exposition can contain, with histogram/summary suffixes. */
export async function exposedSeriesNames(metrics: TelemetryMetrics): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    const { name } = metric;
    const type = String(metric.type);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(name + suffix);
    else names.add(name);
  }
  return names;
}
