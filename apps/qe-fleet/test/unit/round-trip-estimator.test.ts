import { describe, expect, it } from '@jest/globals';
import { RoundTripEstimator } from '../../src/messaging/round-trip-estimator';

const estimator = (): RoundTripEstimator => new RoundTripEstimator({ floorMs: 750, capMs: 10_000, factor: 3 });

describe('RoundTripEstimator', () => {
  it('keeps the floor for a peer never heard from (a dead peer is noticed as fast as before)', () => {
    expect(estimator().deadline('executor-1')).toBe(750);
  });

  it('keeps the floor on a fast network: 2 ms round trips', () => {
    const e = estimator();
    for (let i = 0; i < 50; i += 1) e.observe('executor-1', 2);
    expect(e.deadline('executor-1')).toBe(750);
  });

  it('grows to three retransmission timeouts on a 300 ms round trip, per peer', () => {
    const e = estimator();
    for (let i = 0; i < 50; i += 1) e.observe('executor-1', 300);
    expect(e.smoothed('executor-1')).toBeCloseTo(300, 5);
    // rttvar decays towards 0: the deadline tends to 3 x 300 ms.
    expect(e.deadline('executor-1')).toBeGreaterThanOrEqual(900);
    expect(e.deadline('executor-1')).toBeLessThan(1_000);
    expect(e.deadline('executor-2')).toBe(750);
  });

  it('widens with jitter, never beyond the cap, and forgets on request', () => {
    const e = estimator();
    for (let i = 0; i < 50; i += 1) e.observe('executor-1', i % 2 === 0 ? 100 : 900);
    expect(e.deadline('executor-1')).toBeGreaterThan(3 * 500);
    e.observe('executor-1', 60_000);
    expect(e.deadline('executor-1')).toBe(10_000);
    e.forget('executor-1');
    expect(e.deadline('executor-1')).toBe(750);
  });

  it('ignores impossible samples', () => {
    const e = estimator();
    e.observe('executor-1', Number.NaN);
    e.observe('executor-1', -5);
    expect(e.smoothed('executor-1')).toBeUndefined();
  });
});
