import type { Registry } from 'prom-client';
import { InvalidTelemetryOptionsError } from './errors';
import type { TelemetryMetricsOptions } from './types';

/** Throws InvalidTelemetryOptionsError naming the first bad field of `options`. */
export function validateTelemetryOptions(options: TelemetryMetricsOptions & { registry?: Registry }): void {
  if (options === null || typeof options !== 'object') {
    throw new InvalidTelemetryOptionsError('options must be an object');
  }
  const limit = options.memoryLimitBytes;
  if (limit !== undefined && !(typeof limit === 'number' && Number.isFinite(limit) && limit > 0)) {
    const got = String(limit);
    throw new InvalidTelemetryOptionsError(`memoryLimitBytes must be a positive number of bytes, got ${got}`);
  }
  // Duck-typed: a registry from another copy of prom-client works too.
  const registry = options.registry as Partial<Registry> | undefined;
  const looksLikeRegistry =
    typeof registry?.getSingleMetric === 'function' && typeof registry?.metrics === 'function';
  if (registry !== undefined && !looksLikeRegistry) {
    throw new InvalidTelemetryOptionsError('registry must be a prom-client Registry');
  }
  if (options.defaultLabels !== undefined) {
    const entries = Object.entries(options.defaultLabels ?? {});
    const bad = entries.find(([k, v]) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) || typeof v !== 'string');
    if (bad !== undefined) {
      throw new InvalidTelemetryOptionsError(
        `defaultLabels entry "${bad[0]}" needs a Prometheus label name and a string value`,
      );
    }
  }
}
