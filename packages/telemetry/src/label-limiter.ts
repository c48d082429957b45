import { InvalidTelemetryOptionsError } from './errors';

/** Label value given to everything past the allow-list or the cap. */
export const OVERFLOW_LABEL = 'other';

/** Longest label value kept; longer ones are cut so one bad caller cannot bloat every scrape. */
const MAX_LABEL_LENGTH = 64;

/**
 * Keeps a label's value set bounded: an explicit allow-list, or the first `max` distinct values
 * seen, and 'other' for the rest. Unbounded label values are how a metrics endpoint runs a
 * process (and Prometheus) out of memory.
 */
export class LabelLimiter {
  readonly #allowed: Set<string>;
  readonly #fixed: boolean;
  readonly #max: number;

  constructor(options: { allow?: readonly string[]; max: number; name: string }) {
    if (!Number.isInteger(options.max) || options.max < 1) {
      throw new InvalidTelemetryOptionsError(`${options.name} must be a positive integer, got ${String(options.max)}`);
    }
    if (options.allow !== undefined && !options.allow.every((v) => typeof v === 'string' && v.length > 0)) {
      throw new InvalidTelemetryOptionsError(`${options.name} allow-list must hold non-empty strings`);
    }
    this.#allowed = new Set(options.allow ?? []);
    this.#fixed = options.allow !== undefined;
    this.#max = options.max;
  }

  /** The label value to record for `value`: itself while within bounds, else 'other'. */
  label(value: string): string {
    const trimmed = value.slice(0, MAX_LABEL_LENGTH);
    if (this.#allowed.has(trimmed)) return trimmed;
    if (this.#fixed || this.#allowed.size >= this.#max || trimmed.length === 0) return OVERFLOW_LABEL;
    this.#allowed.add(trimmed);
    return trimmed;
  }

  /** How many distinct values have their own label. */
  get size(): number {
    return this.#allowed.size;
  }
}
