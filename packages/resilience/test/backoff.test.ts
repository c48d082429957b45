import { describe, expect, it } from '@jest/globals';
import { constantBackoff, exponentialBackoff, InvalidOptionsError, type JitterMode } from '../src/index';

const DRAWS = 10_000;

describe('exponentialBackoff', () => {
  it('grows exponentially without jitter and stops at the cap', () => {
    const backoff = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 1_000, jitter: 'none' });
    expect([1, 2, 3, 4, 5, 6].map((a) => backoff.delay(a))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoff.delay(10_000)).toBe(1_000);
  });

  it('defaults to a 30 s cap', () => {
    const backoff = exponentialBackoff({ jitter: 'none' });
    expect(backoff.delay(50)).toBe(30_000);
  });

  it.each<JitterMode>(['full', 'equal', 'decorrelated'])(
    'never exceeds the cap over %s jitter draws, and spreads them out',
    (jitter) => {
      const cap = 5_000;
      const backoff = exponentialBackoff({ initialDelayMs: 50, maxDelayMs: cap, jitter });
      const delays: number[] = [];
      let previous: number | undefined;
      for (let i = 0; i < DRAWS; i++) {
        const attempt = (i % 20) + 1;
        const delay = backoff.delay(attempt, previous);
        previous = attempt === 20 ? undefined : delay;
        delays.push(delay);
      }
      expect(Math.max(...delays)).toBeLessThanOrEqual(cap);
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(new Set(delays).size).toBeGreaterThan(DRAWS * 0.9);
      const high = delays.filter((d) => d > cap / 2).length;
      expect(high).toBeGreaterThan(0);
    },
  );

  it('keeps full jitter in [0, exponential) and equal jitter in [exponential/2, exponential]', () => {
    const full = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 10_000, jitter: 'full' });
    const equal = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 10_000, jitter: 'equal' });
    for (let i = 0; i < DRAWS; i++) {
      const attempt = (i % 8) + 1;
      const ceiling = Math.min(10_000, 100 * 2 ** (attempt - 1));
      expect(full.delay(attempt)).toBeLessThan(ceiling);
      const e = equal.delay(attempt);
      expect(e).toBeGreaterThanOrEqual(ceiling / 2);
      expect(e).toBeLessThanOrEqual(ceiling);
    }
  });

  it('keeps decorrelated jitter between the base and three times the previous delay', () => {
    const backoff = exponentialBackoff({ initialDelayMs: 10, maxDelayMs: 60_000, jitter: 'decorrelated' });
    let previous = 10;
    for (let i = 0; i < DRAWS; i++) {
      const delay = backoff.delay(i + 1, previous);
      expect(delay).toBeGreaterThanOrEqual(10);
      expect(delay).toBeLessThanOrEqual(Math.min(60_000, previous * 3));
      previous = delay;
    }
  });

  it('uses the injected random source', () => {
    const backoff = exponentialBackoff({ initialDelayMs: 100, jitter: 'full', random: () => 0.5 });
    expect(backoff.delay(3)).toBe(200);
  });

  it('is immutable', () => {
    const backoff = exponentialBackoff();
    expect(Object.isFrozen(backoff)).toBe(true);
  });

  it.each([
    [{ initialDelayMs: 0 }],
    [{ maxDelayMs: -1 }],
    [{ multiplier: 0.5 }],
    [{ initialDelayMs: 100, maxDelayMs: 10 }],
    [{ jitter: 'wild' as JitterMode }],
    [{ initialDelayMs: Number.NaN }],
  ])('rejects bad options %p with a typed error', (options) => {
    expect(() => exponentialBackoff(options)).toThrow(InvalidOptionsError);
  });

  it('rejects a bad attempt number', () => {
    expect(() => exponentialBackoff().delay(0)).toThrow(InvalidOptionsError);
    expect(() => exponentialBackoff().delay(1.5)).toThrow(InvalidOptionsError);
  });
});

describe('constantBackoff', () => {
  it('always returns the same delay', () => {
    expect(constantBackoff(7).delay(1)).toBe(7);
    expect(constantBackoff(7).delay(99)).toBe(7);
    expect(() => constantBackoff(-1)).toThrow(InvalidOptionsError);
  });
});
