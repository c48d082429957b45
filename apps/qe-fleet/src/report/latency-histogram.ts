import hdr from 'hdr-histogram-js';

/** Percentiles of one latency series, in ms. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** An HDR histogram of latencies recorded in ms (kept in µs, 3 significant digits). */
export class LatencyHistogram {
  readonly #histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** Records one latency in ms; negative or non-finite values are ignored. */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.#histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  /** Adds the encoded histogram of another agent (see `encode`). */
  addEncoded(encoded: string): void {
    const other = hdr.decodeFromCompressedBase64(encoded);
    this.#histogram.add(other);
    other.destroy();
  }

  /** Compressed base64 form, to ship a histogram across the fleet. */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.#histogram);
  }

  summary(): LatencySummary {
    const h = this.#histogram;
    const at = (p: number): number => (h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000);
    return {
      count: h.totalCount,
      p50: at(50),
      p95: at(95),
      p99: at(99),
      max: h.totalCount === 0 ? 0 : h.maxValue / 1000,
    };
  }
}
