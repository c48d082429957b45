import { InvalidOptionsError } from '@agentlink/resilience';
import { mulberry32, shuffled } from './prng';
import type { Label } from './types';

/**
 * Where a row's history key comes from: a text column, optionally with trailing segments removed
 * (`org.a.FooTest.testBar` with `stripSegments: 1` → `org.a.FooTest`, the test class).
 */
export interface HistoryKeySpec {
  /** Text column holding the raw value (never a feature itself). */
  readonly column: string;
  /** Trailing `separator`-delimited segments removed from the value. Default 0 (the value itself). */
  readonly stripSegments?: number;
  /** Segment separator. Default '.'. */
  readonly separator?: string;
}

export type ResolvedHistoryKeySpec = Required<HistoryKeySpec>;

/** Names of the three features the history encoding appends, in order. */
export const HISTORY_FEATURES = ['history:flakeRate', 'history:siblings', 'history:flakySiblings'] as const;

/** Serialisable fitted table: per key, [flaky rows, rows] among the rows it was fitted on. */
export interface HistoryTable {
  readonly spec: ResolvedHistoryKeySpec;
  /** Flaky share of the fitted rows: the rate of a key never seen. */
  readonly prior: number;
  /** Prior weight m of the smoothed rate (flaky + m·prior) / (rows + m). */
  readonly smoothing: number;
  readonly counts: Readonly<Record<string, readonly [number, number]>>;
}

/** Fills defaults and rejects a malformed spec with InvalidOptionsError. */
export function resolveHistoryKeySpec(spec: HistoryKeySpec): ResolvedHistoryKeySpec {
  const resolved = { stripSegments: 0, separator: '.', ...spec };
  if (typeof resolved.column !== 'string' || resolved.column === '')
    throw new InvalidOptionsError('historyKey.column must name a column');
  if (!(Number.isInteger(resolved.stripSegments) && resolved.stripSegments >= 0)) {
    throw new InvalidOptionsError(`historyKey.stripSegments must be an integer >= 0, got ${resolved.stripSegments}`);
  }
  if (typeof resolved.separator !== 'string' || resolved.separator === '')
    throw new InvalidOptionsError('historyKey.separator must be a non-empty string');
  return resolved;
}

/** The history key of a raw value; '' (no history) when stripping leaves nothing. */
export function deriveHistoryKey(value: string, spec: ResolvedHistoryKeySpec): string {
  const text = value.trim();
  if (spec.stripSegments === 0) return text;
  const segments = text.split(spec.separator);
  return segments.slice(0, Math.max(0, segments.length - spec.stripSegments)).join(spec.separator);
}

type Counts = Map<string, [number, number]>;

function countKeys(keys: readonly string[], labels: readonly Label[], rows: Iterable<number>): Counts {
  const counts: Counts = new Map();
  for (const i of rows) {
    if (keys[i] === '') continue;
    const entry = counts.get(keys[i]) ?? [0, 0];
    entry[0] += labels[i];
    entry[1] += 1;
    counts.set(keys[i], entry);
  }
  return counts;
}

function encodeCounts(flaky: number, rows: number, prior: number, smoothing: number): number[] {
  return [(flaky + smoothing * prior) / (rows + smoothing), rows, flaky];
}

/**
 * Target ("test history") encoding of a key column: for each row, the smoothed flake rate of the
 * other rows sharing its key, how many there are and how many were flaky. Fit it on training rows
 * only; training rows themselves get out-of-fold values (`outOfFold`) so no row's own label
 * reaches its own features.
 */
export class HistoryEncoder {
  private constructor(readonly table: HistoryTable) {}

  /** Fits the table on the given rows (all of them are history for rows encoded later). */
  static fit(
    values: readonly string[],
    labels: readonly Label[],
    options: { spec: HistoryKeySpec; smoothing: number },
  ): HistoryEncoder {
    const spec = resolveHistoryKeySpec(options.spec);
    const keys = values.map((value) => deriveHistoryKey(value, spec));
    const counts = countKeys(keys, labels, keys.keys());
    const prior = labels.length === 0 ? 0 : labels.reduce<number>((sum, label) => sum + label, 0) / labels.length;
    return new HistoryEncoder({
      spec,
      prior,
      smoothing: options.smoothing,
      counts: Object.fromEntries([...counts].map(([key, c]) => [key, [c[0], c[1]] as const])),
    });
  }

  /** Restores a saved table; throws InvalidOptionsError when it is malformed. */
  static fromTable(table: HistoryTable): HistoryEncoder {
    const spec = resolveHistoryKeySpec(table.spec);
    const valid =
      table.prior >= 0 &&
      table.prior <= 1 &&
      table.smoothing >= 0 &&
      typeof table.counts === 'object' &&
      table.counts !== null &&
      Object.values(table.counts).every((c) => Array.isArray(c) && c.length === 2 && c[0] >= 0 && c[1] >= c[0]);
    if (!valid) throw new InvalidOptionsError('history table is malformed (prior, smoothing or counts)');
    return new HistoryEncoder({ ...table, spec });
  }

  /**
   * Out-of-fold encoding of training rows: rows are dealt (seeded, regardless of label) into
   * `folds` parts and each row is encoded from the rows of the other parts only, prior included.
   */
  static outOfFold(
    values: readonly string[],
    labels: readonly Label[],
    options: { spec: HistoryKeySpec; smoothing: number; folds: number; seed: number },
  ): number[][] {
    const spec = resolveHistoryKeySpec(options.spec);
    const keys = values.map((value) => deriveHistoryKey(value, spec));
    const foldOf = new Array<number>(keys.length);
    shuffled([...keys.keys()], mulberry32(options.seed)).forEach(
      (row, position) => (foldOf[row] = position % options.folds),
    );
    const total = countKeys(keys, labels, keys.keys());
    const perFold = Array.from({ length: options.folds }, (_, fold) =>
      countKeys(
        keys,
        labels,
        [...keys.keys()].filter((i) => foldOf[i] === fold),
      ),
    );
    const foldRows = Array.from({ length: options.folds }, (_, fold) => foldOf.filter((f) => f === fold).length);
    const foldFlaky = Array.from({ length: options.folds }, (_, fold) =>
      labels.reduce<number>((sum, label, i) => sum + (foldOf[i] === fold ? label : 0), 0),
    );
    const allFlaky = foldFlaky.reduce((a, b) => a + b, 0);
    return keys.map((key, i) => {
      const fold = foldOf[i];
      const otherRows = keys.length - foldRows[fold];
      const prior = otherRows === 0 ? 0 : (allFlaky - foldFlaky[fold]) / otherRows;
      const all = total.get(key);
      const own = perFold[fold].get(key);
      if (all === undefined) return encodeCounts(0, 0, prior, options.smoothing);
      return encodeCounts(all[0] - (own?.[0] ?? 0), all[1] - (own?.[1] ?? 0), prior, options.smoothing);
    });
  }

  get spec(): ResolvedHistoryKeySpec {
    return this.table.spec;
  }

  /** Features of a raw value (undefined or an unseen key: no siblings, the prior rate). */
  encode(value: string | undefined): number[] {
    const { prior, smoothing, counts } = this.table;
    const key = value === undefined ? '' : deriveHistoryKey(value, this.table.spec);
    const entry = key !== '' && Object.hasOwn(counts, key) ? counts[key] : undefined;
    return encodeCounts(entry?.[0] ?? 0, entry?.[1] ?? 0, prior, smoothing);
  }
}
