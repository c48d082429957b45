import { describe, it, expect } from '@jest/globals';
import { DelayLine } from '../../src/fault-proxy/delay-line';
import { seededRandom } from '../../src/fault-proxy/prng';

const until = async (condition: () => boolean, timeoutMs = 2_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('DelayLine', () => {
  it('never delivers before the due time and keeps FIFO order when delays shrink', async () => {
    const got: { n: number; at: number }[] = [];
    const line = new DelayLine({
      overflow: 'drop',
      queueLimitBytes: 1e6,
      deliver: (c) => void got.push({ n: c[0], at: performance.now() }),
    });
    const start = performance.now();
    line.push(Buffer.from([1]), { delayMs: 30, bandwidthBytesPerSec: 0 });
    line.push(Buffer.from([2]), { delayMs: 5, bandwidthBytesPerSec: 0 });
    await until(() => got.length === 2);
    expect(got.map((g) => g.n)).toEqual([1, 2]);
    expect(got[0].at - start).toBeGreaterThanOrEqual(30);
    line.close();
  });

  it('lets an out-of-order chunk be overtaken', async () => {
    const got: number[] = [];
    const line = new DelayLine({ overflow: 'drop', queueLimitBytes: 1e6, deliver: (c) => void got.push(c[0]) });
    line.push(Buffer.from([1]), { delayMs: 20, bandwidthBytesPerSec: 0, outOfOrder: true });
    line.push(Buffer.from([2]), { delayMs: 1, bandwidthBytesPerSec: 0 });
    line.push(Buffer.from([3]), { delayMs: 1, bandwidthBytesPerSec: 0 });
    await until(() => got.length === 3);
    expect(got).toEqual([2, 3, 1]);
    line.close();
  });

  it('holds while held, waits for a blocked sink, signals pressure and empties', async () => {
    const got: number[] = [];
    const pressure: boolean[] = [];
    let accept = false;
    const line = new DelayLine({
      overflow: 'pressure',
      queueLimitBytes: 2,
      deliver: (c) => {
        got.push(c[0]);
        return accept;
      },
      onPressure: (over) => pressure.push(over),
    });
    line.setHeld(true);
    for (let i = 1; i <= 4; i++)
      expect(line.push(Buffer.from([i]), { delayMs: 0, bandwidthBytesPerSec: 0 })).toBe(true);
    expect(line.queuedBytes).toBe(4);
    expect(pressure).toEqual([true]);
    let empty = false;
    line.onEmptyOnce(() => (empty = true));
    line.setHeld(false);
    // The sink refused the first chunk: delivery pauses until resumeSink().
    expect(got).toEqual([1]);
    accept = true;
    line.resumeSink();
    expect(got).toEqual([1, 2, 3, 4]);
    expect(pressure).toEqual([true, false]);
    expect(empty).toBe(true);
    expect(line.isEmpty).toBe(true);
    line.close();
    expect(line.push(Buffer.from([5]), { delayMs: 0, bandwidthBytesPerSec: 0 })).toBe(false);
  });

  it('paces chunks at the bandwidth', async () => {
    const at: number[] = [];
    const line = new DelayLine({
      overflow: 'drop',
      queueLimitBytes: 1e6,
      deliver: () => void at.push(performance.now()),
    });
    const start = performance.now();
    for (let i = 0; i < 5; i++) line.push(Buffer.alloc(1_000), { delayMs: 0, bandwidthBytesPerSec: 100_000 });
    await until(() => at.length === 5);
    expect(at[4] - start).toBeGreaterThanOrEqual(49);
    line.close();
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRandom()()).toBeLessThan(1);
  });
});
