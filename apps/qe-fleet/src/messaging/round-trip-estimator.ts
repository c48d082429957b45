/** How a deadline grows with the round trips seen to a peer. */
export interface RoundTripEstimatorOptions {
  /** The deadline never goes below this, in ms (a fast network keeps the configured deadline). */
  readonly floorMs: number;
  /** Nor above this, in ms (a dead peer is still noticed). */
  readonly capMs: number;
  /** Round trips the deadline must hold: the deadline is `factor` retransmission timeouts. */
  readonly factor: number;
}

interface Estimate {
  srttMs: number;
  rttvarMs: number;
}

/**
 * Smoothed round trip and variance per peer (RFC 6298's estimator), turned into deadlines: a
 * slow but answering network (150 ms each way) gets a deadline that fits its round trips, so
 * health checks and dials do not count it as a dead peer; a peer that never answers is not
 * observed and keeps the floor.
 */
export class RoundTripEstimator {
  readonly #options: RoundTripEstimatorOptions;
  readonly #estimates = new Map<string, Estimate>();

  constructor(options: RoundTripEstimatorOptions) {
    this.#options = options;
  }

  /** Records one answered round trip to `peer`, in ms. */
  observe(peer: string, rttMs: number): void {
    if (!Number.isFinite(rttMs) || rttMs < 0) return;
    const known = this.#estimates.get(peer);
    if (known === undefined) {
      this.#estimates.set(peer, { srttMs: rttMs, rttvarMs: rttMs / 2 });
      return;
    }
    known.rttvarMs = 0.75 * known.rttvarMs + 0.25 * Math.abs(known.srttMs - rttMs);
    known.srttMs = 0.875 * known.srttMs + 0.125 * rttMs;
  }

  /** The smoothed round trip to `peer` in ms, or undefined before the first answer. */
  smoothed(peer: string): number | undefined {
    return this.#estimates.get(peer)?.srttMs;
  }

  /** `factor` retransmission timeouts (srtt + 4 rttvar) to `peer`, within floor and cap, in ms. */
  deadline(peer: string): number {
    const { floorMs, capMs, factor } = this.#options;
    const known = this.#estimates.get(peer);
    if (known === undefined) return floorMs;
    const rto = known.srttMs + 4 * known.rttvarMs;
    return Math.min(capMs, Math.max(floorMs, Math.ceil(factor * rto)));
  }

  forget(peer: string): void {
    this.#estimates.delete(peer);
  }

  clear(): void {
    this.#estimates.clear();
  }
}
