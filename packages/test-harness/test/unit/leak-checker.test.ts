import { describe, it, expect } from '@jest/globals';
import { assertNoLeak, compareSnapshots, takeSnapshot, withLeakCheck } from '../../src/leak-checker';
import { LeakDetectedError } from '../../src/errors';

describe('leak checker', () => {
  it('tells to run with --expose-gc when global.gc is missing', async () => {
    const g = globalThis as { gc?: unknown };
    const saved = g.gc;
    g.gc = undefined;
    try {
      await expect(takeSnapshot()).rejects.toMatchObject({
        code: 'ERR_GC_UNAVAILABLE',
        message: expect.stringContaining('--expose-gc'),
      });
    } finally {
      g.gc = saved;
    }
  });

  it('finds timers that were not cleared and names their resource type', async () => {
    const before = await takeSnapshot();
    // Twenty timers: a growth that stray timers of the test runner, which may also end between
    // the two snapshots, cannot imitate or hide.
    const timers = Array.from({ length: 20 }, () => setInterval(() => undefined, 60_000));
    try {
      const after = await takeSnapshot();
      expect((after.resources.Timeout ?? 0) - (before.resources.Timeout ?? 0)).toBeGreaterThanOrEqual(15);
      let caught: unknown;
      try {
        assertNoLeak(before, after, { heapBytes: 1024 ** 3 });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(LeakDetectedError);
      expect(caught).toMatchObject({ code: 'ERR_LEAK_DETECTED', retryable: false });
      expect((caught as LeakDetectedError).findings).toContainEqual(
        expect.objectContaining({ resource: 'Timeout', allowedGrowth: 0 }),
      );
      expect((caught as Error).message).toMatch(/Timeout grew from \d+ to \d+/);
      expect(compareSnapshots(before, after, { handles: 100, heapBytes: 1024 ** 3 }).leaked).toBe(false);
      expect(
        compareSnapshots(before, after, { handles: 2, ignore: ['Timeout'] }).findings.map((f) => f.resource),
      ).not.toContain('Timeout');
    } finally {
      for (const timer of timers) clearInterval(timer);
    }
  });

  it('finds heap growth beyond the tolerance and accepts it within', async () => {
    const before = await takeSnapshot({ gcPasses: 2 });
    const retained = Array.from({ length: 200_000 }, (_, i) => ({ i }));
    const after = await takeSnapshot({ gcPasses: 2 });
    const comparison = compareSnapshots(before, after, { heapBytes: 1024 * 1024, handles: 100 });
    expect(retained.length).toBe(200_000);
    expect(comparison.leaked).toBe(true);
    expect(comparison.findings[0].resource).toBe('heap');
    expect(comparison.heapGrowthBytes).toBeGreaterThan(1024 * 1024);
    expect(compareSnapshots(before, after, { heapBytes: 1024 ** 3, handles: 100 }).leaked).toBe(false);
  });

  it('passes a clean run through withLeakCheck and reports released resources as negative growth', async () => {
    const timers = Array.from({ length: 5 }, () => setInterval(() => undefined, 60_000));
    const { result, comparison } = await withLeakCheck(
      async () => {
        for (const timer of timers) clearInterval(timer);
        return 42;
      },
      { handles: 2, heapBytes: 64 * 1024 * 1024 },
    );
    expect(result).toBe(42);
    expect(comparison.leaked).toBe(false);
    expect(comparison.resourceGrowth.Timeout).toBeLessThanOrEqual(-3);
  });

  it('validates its options', async () => {
    await expect(takeSnapshot({ gcPasses: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
    const s = await takeSnapshot();
    expect(() => compareSnapshots(s, s, { heapBytes: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS' }),
    );
  });
});
