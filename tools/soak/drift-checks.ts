/**
 * Drift verdict of a soak: compares the first third of the samples (after the warm-up sample)
 * with the last third, so a slow leak or a creeping latency shows as a difference between the
 * two ends of the run rather than as noise between neighbouring samples.
 */
export interface SoakSample {
  readonly minute: number;
  readonly heapAfterGcMiB: number;
  readonly handles: number;
  readonly p99Ms: number;
  readonly calls: number;
  readonly errors: number;
}

export interface DriftLimits {
  /** Allowed growth of the median heap after GC, last third vs first third, in MiB. Default 10. */
  readonly heapMiB: number;
  /** Allowed ratio of the median p99, last third vs first third. Default 2 (and at least +5 ms). */
  readonly p99Ratio: number;
  /** Allowed share of failed calls over the whole run. Default 0.001. */
  readonly errorRate: number;
}

export interface DriftVerdict {
  readonly passed: boolean;
  readonly checks: ReadonlyArray<{ readonly name: string; readonly passed: boolean; readonly detail: string }>;
}

export const DEFAULT_DRIFT_LIMITS: DriftLimits = { heapMiB: 10, p99Ratio: 2, errorRate: 0.001 };

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (v: number): number => Math.round(v * 100) / 100;

/** Judges drift over the samples; needs at least 4 samples after the warm-up one for the trend checks. */
export function judgeDrift(samples: readonly SoakSample[], limits: DriftLimits = DEFAULT_DRIFT_LIMITS): DriftVerdict {
  const checks: Array<{ name: string; passed: boolean; detail: string }> = [];
  const calls = samples.reduce((s, x) => s + x.calls, 0);
  const errors = samples.reduce((s, x) => s + x.errors, 0);
  const rate = calls === 0 ? 1 : errors / calls;
  checks.push({
    name: 'error rate',
    passed: calls > 0 && rate <= limits.errorRate,
    detail: `${errors} errors in ${calls} calls (${(rate * 100).toFixed(3)} %, limit ${limits.errorRate * 100} %)`,
  });
  // The first sample is warm-up; a window without calls (the run ended inside it) says nothing.
  const steady = samples.slice(1).filter((s) => s.calls > 0);
  if (steady.length < 4) {
    checks.push({
      name: 'trend',
      passed: true,
      detail: `only ${steady.length} steady samples: trend checks skipped (need 4)`,
    });
    return { passed: checks.every((c) => c.passed), checks };
  }
  const third = Math.max(1, Math.floor(steady.length / 3));
  const first = steady.slice(0, third);
  const last = steady.slice(-third);
  const heapFirst = median(first.map((s) => s.heapAfterGcMiB));
  const heapLast = median(last.map((s) => s.heapAfterGcMiB));
  checks.push({
    name: 'heap after GC',
    passed: heapLast - heapFirst <= limits.heapMiB,
    detail:
      `median ${round(heapFirst)} MiB (first third) → ${round(heapLast)} MiB (last third), ` +
      `growth ${round(heapLast - heapFirst)} MiB, limit ${limits.heapMiB} MiB`,
  });
  // Handles fluctuate with in-flight calls (timers, short-lived streams); a leak lifts the floor.
  const handlesFirstMax = Math.max(...first.map((s) => s.handles));
  const handlesLastMin = Math.min(...last.map((s) => s.handles));
  checks.push({
    name: 'handles',
    passed: handlesLastMin <= handlesFirstMax,
    detail:
      `max ${handlesFirstMax} (first third), min ${handlesLastMin} (last third): ` +
      (handlesLastMin <= handlesFirstMax ? 'no rising floor' : 'the floor rose'),
  });
  const p99First = median(first.map((s) => s.p99Ms));
  const p99Last = median(last.map((s) => s.p99Ms));
  checks.push({
    name: 'p99 latency',
    passed: p99Last <= Math.max(p99First * limits.p99Ratio, p99First + 5),
    detail:
      `median p99 ${round(p99First)} ms (first third) → ${round(p99Last)} ms (last third), ` +
      `limit ×${limits.p99Ratio} (or +5 ms)`,
  });
  return { passed: checks.every((c) => c.passed), checks };
}
