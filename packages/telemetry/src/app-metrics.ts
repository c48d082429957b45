import { Counter, Gauge, type Registry } from 'prom-client';
import { InvalidTelemetryOptionsError, MetricsAlreadyRegisteredError } from './errors';
import { LabelLimiter } from './label-limiter';
import { checkLabelNames, checkMetricName, type AppMetricType } from './metric-name-rules';
import type { AppCounter, AppGauge, AppMetricLabels, AppMetricOptions, AppMetricSample } from './types';

/** What an application metric needs from the TelemetryMetrics it is defined on. */
export interface AppMetricContext {
  readonly registry: Registry;
  /** Labels the registry adds to every series; a metric may not define them again. */
  readonly defaultLabelNames: readonly string[];
  /** Distinct values per label when the definition sets no `maxLabelValues`. */
  readonly maxLabelValues: number;
  /** Counts a value that was not recorded (bad labels or number, or a `collect` that threw). */
  readonly onInvalid: (metricName: string) => void;
}

/** Thrown inside a recording for a value or labels that cannot be recorded. */
class RejectedSampleError extends Error {}

/** A validated definition: its name, label names and the label mapping through the limiters. */
interface Definition {
  readonly name: string;
  readonly help: string;
  readonly labelNames: string[];
  readonly collect: AppMetricOptions['collect'];
  /** Label values to record, cut down by the limiters; throws RejectedSampleError. */
  toLabels(labels: unknown): Record<string, string>;
}

/** Registers an application counter on the context's registry. */
export function defineAppCounter(context: AppMetricContext, options: AppMetricOptions): AppCounter {
  const definition = define(context, options, 'counter');
  const collect = definition.collect;
  const counter: Counter<string> = new Counter({
    name: definition.name,
    help: definition.help,
    labelNames: definition.labelNames,
    registers: [context.registry],
    ...(collect === undefined
      ? {}
      : { collect: () => replaceSeries(context, definition, counter, collect, nonNegative) }),
  });
  const record = (labels: unknown, value: unknown): void =>
    guard(context, definition.name, () => {
      const checked = nonNegative(value); // before the labels, so a refused value takes no label slot
      counter.inc(definition.toLabels(labels), checked);
    });
  function inc(labelsOrValue?: AppMetricLabels | number, value?: number): void {
    if (typeof labelsOrValue === 'number') record(undefined, labelsOrValue);
    else record(labelsOrValue, value ?? 1);
  }
  return Object.freeze({ name: definition.name, inc });
}

/** Registers an application gauge on the context's registry. */
export function defineAppGauge(context: AppMetricContext, options: AppMetricOptions): AppGauge {
  const definition = define(context, options, 'gauge');
  const collect = definition.collect;
  const gauge: Gauge<string> = new Gauge({
    name: definition.name,
    help: definition.help,
    labelNames: definition.labelNames,
    registers: [context.registry],
    ...(collect === undefined ? {} : { collect: () => replaceSeries(context, definition, gauge, collect, finite) }),
  });
  function set(labelsOrValue: AppMetricLabels | number | undefined, value?: number): void {
    const [labels, v] = typeof labelsOrValue === 'number' ? [undefined, labelsOrValue] : [labelsOrValue, value];
    guard(context, definition.name, () => {
      const checked = finite(v);
      gauge.set(definition.toLabels(labels), checked);
    });
  }
  return Object.freeze({ name: definition.name, set });
}

function define(context: AppMetricContext, options: AppMetricOptions, type: AppMetricType): Definition {
  if (options === null || typeof options !== 'object') {
    throw new InvalidTelemetryOptionsError(`${type} options must be an object`);
  }
  const { name, help, collect, maxLabelValues } = options;
  checkMetricName(name, type);
  if (typeof help !== 'string' || help.trim().length === 0) {
    throw new InvalidTelemetryOptionsError(`${type} "${name}" needs a help text`);
  }
  const labelNames = checkLabelNames(options.labelNames, context.defaultLabelNames, name);
  if (collect !== undefined && typeof collect !== 'function') {
    throw new InvalidTelemetryOptionsError(`collect of "${name}" must be a function`);
  }
  const max = maxLabelValues ?? context.maxLabelValues;
  if (!Number.isInteger(max) || max < 1) {
    throw new InvalidTelemetryOptionsError(
      `maxLabelValues of "${name}" must be a positive integer, got ${String(max)}`,
    );
  }
  const limiters = new Map(
    labelNames.map((label) => [label, new LabelLimiter({ max, name: `maxLabelValues of "${name}"` })]),
  );
  // Histogram and summary series names (_bucket, _count, _sum) are refused by checkMetricName.
  if (context.registry.getSingleMetric(name) !== undefined) throw new MetricsAlreadyRegisteredError(name);
  return {
    name,
    help,
    labelNames,
    collect,
    toLabels: (labels) => {
      if (labels === undefined) return {};
      if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) throw new RejectedSampleError();
      const entries = Object.entries(labels as Record<string, unknown>);
      // Check every label before taking a limiter slot, so a rejected sample takes none.
      for (const [label, value] of entries) {
        if (
          !limiters.has(label) ||
          !(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))
        ) {
          throw new RejectedSampleError();
        }
      }
      return Object.fromEntries(entries.map(([label, value]) => [label, limiters.get(label)!.label(String(value))]));
    },
  };
}

/**
 * Replaces every series with what `collect` reports. A collect that throws or answers something
 * that is not a number or a list keeps the last values: one bad source must not fail the scrape.
 */
function replaceSeries(
  context: AppMetricContext,
  definition: Definition,
  metric: { reset(): void; inc(labels: Record<string, string>, value: number): void },
  collect: NonNullable<AppMetricOptions['collect']>,
  check: (value: unknown) => number,
): void {
  let answer: unknown;
  try {
    answer = collect();
  } catch {
    context.onInvalid(definition.name);
    return;
  }
  const samples: readonly unknown[] | undefined =
    typeof answer === 'number' ? [{ value: answer }] : Array.isArray(answer) ? answer : undefined;
  if (samples === undefined) {
    context.onInvalid(definition.name);
    return;
  }
  metric.reset();
  for (const sample of samples) {
    guard(context, definition.name, () => {
      if (sample === null || typeof sample !== 'object') throw new RejectedSampleError();
      const { labels, value } = sample as AppMetricSample;
      const checked = check(value);
      metric.inc(definition.toLabels(labels), checked);
    });
  }
}

/** Runs a recording; a rejected one is counted instead of thrown into the caller. */
function guard(context: AppMetricContext, name: string, record: () => void): void {
  try {
    record();
  } catch {
    context.onInvalid(name);
  }
}

function finite(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RejectedSampleError();
  return value;
}

function nonNegative(value: unknown): number {
  if (finite(value) < 0) throw new RejectedSampleError();
  return value as number;
}
