/** Names defineCounter/defineGauge refuse although Prometheus would store them: promtool's lint rules. */
export const LINT_REFUSED_NAMES: ReadonlyArray<[why: string, type: 'counter' | 'gauge', name: string]> = [
  ['a counter without _total', 'counter', 'app_jobs'],
  ['a gauge ending in _total', 'gauge', 'app_jobs_total'],
  ['a colon (reserved for recording rules)', 'counter', 'app:jobs_total'],
  ['camelCase', 'gauge', 'app_queueDepth'],
  ['a histogram suffix', 'gauge', 'app_latency_bucket'],
  ['a summary suffix', 'gauge', 'app_jobs_count'],
  ['the type in the name', 'gauge', 'app_jobs_gauge'],
  ['an abbreviated unit', 'gauge', 'app_latency_ms'],
];
