import { InvalidTelemetryOptionsError } from './errors';

/** Kinds of metric an application may define. */
export type AppMetricType = 'counter' | 'gauge';

/** Prometheus data model: https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const CAMEL_CASE = /[a-z][A-Z]/;

/** Abbreviations promtool's linter rejects as name parts (base units are spelt out). */
const UNIT_ABBREVIATIONS = ['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd'];

/** Series suffixes of histograms and summaries, which another metric must not imitate. */
const RESERVED_SUFFIXES = ['_bucket', '_count', '_sum'];

/** Labels reserved for histogram buckets and summary quantiles. */
const RESERVED_LABELS = ['le', 'quantile'];

/**
 * Throws InvalidTelemetryOptionsError unless `name` is a valid Prometheus metric name that
 * `promtool check metrics` also accepts for a metric of `type`. The lint rules are checked here
 * because a name cannot be fixed after dashboards and alerts start using it.
 */
export function checkMetricName(name: unknown, type: AppMetricType): asserts name is string {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new InvalidTelemetryOptionsError(
      `${type} name must match [a-zA-Z_:][a-zA-Z0-9_:]*, got ${JSON.stringify(name)}`,
    );
  }
  const problem = lintProblem(name, type);
  if (problem !== undefined) throw new InvalidTelemetryOptionsError(`${type} name "${name}": ${problem}`);
}

function lintProblem(name: string, type: AppMetricType): string | undefined {
  const lower = name.toLowerCase();
  const hasPart = (part: string): boolean => lower.includes(`_${part}_`) || lower.endsWith(`_${part}`);
  if (name.includes(':')) return 'colons are reserved for recording rules; use _ instead';
  if (CAMEL_CASE.test(name)) return 'write it in snake_case, not camelCase';
  if (type === 'counter' && !name.endsWith('_total')) return 'counter names end in _total';
  if (type !== 'counter' && name.endsWith('_total')) return '_total is reserved for counters';
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix !== undefined) return `${suffix} is reserved for histogram and summary series`;
  if (hasPart(type)) return `leave the type '${type}' out of the name`;
  const unit = UNIT_ABBREVIATIONS.find(hasPart);
  if (unit !== undefined) return `spell out the base unit instead of '${unit}' (seconds, bytes, meters)`;
  return undefined;
}

/** Validates label names and returns them; `taken` are the registry's default labels. */
export function checkLabelNames(labelNames: unknown, taken: readonly string[], metric: string): string[] {
  if (labelNames === undefined) return [];
  if (!Array.isArray(labelNames)) {
    throw new InvalidTelemetryOptionsError(`labelNames of "${metric}" must be an array of strings`);
  }
  const seen = new Set<string>();
  for (const label of labelNames as unknown[]) {
    if (typeof label !== 'string' || !LABEL_NAME.test(label)) {
      throw new InvalidTelemetryOptionsError(
        `label name ${JSON.stringify(label)} of "${metric}" must match [a-zA-Z_][a-zA-Z0-9_]*`,
      );
    }
    const problem = labelProblem(label, taken, seen);
    if (problem !== undefined) throw new InvalidTelemetryOptionsError(`label "${label}" of "${metric}": ${problem}`);
    seen.add(label);
  }
  return [...seen];
}

function labelProblem(label: string, taken: readonly string[], seen: ReadonlySet<string>): string | undefined {
  if (label.startsWith('__')) return 'names starting with __ are reserved for Prometheus';
  if (RESERVED_LABELS.includes(label)) return 'reserved for histograms and summaries';
  if (CAMEL_CASE.test(label)) return 'write it in snake_case, not camelCase';
  if (taken.includes(label)) return 'already a default label of this registry, added to every series';
  if (seen.has(label)) return 'listed twice';
  return undefined;
}
