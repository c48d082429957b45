import { describe, it, expect } from '@jest/globals';
import { runLoad } from '../../src/load-generator';
import { renderMarkdownTable } from '../../src/markdown-table';
import { takeSnapshot, assertNoLeak } from '../../src/leak-checker';

const wait = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(Object.assign(new Error('aborted'), { code: 'ERR_ABORTED' }));
      },
      { once: true },
    );
  });

describe('runLoad', () => {
  it('runs exactly `requests` calls with the given concurrency and reports percentiles', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen = new Set<number>();
    const result = await runLoad({
      concurrency: 4,
      requests: 40,
      call: async (i) => {
        seen.add(i);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await wait(i % 10 === 9 ? 20 : 2);
        inFlight--;
      },
    });
    expect(result.count).toBe(40);
    expect(seen.size).toBe(40);
    expect(peak).toBe(4);
    expect(result.errors).toBe(0);
    expect(result.stoppedBy).toBe('requests');
    expect(result.latency.p50).toBeGreaterThanOrEqual(1);
    expect(result.latency.p99).toBeGreaterThanOrEqual(15);
    expect(result.latency.max).toBeGreaterThanOrEqual(result.latency.p999);
    expect(result.latency.p999).toBeGreaterThanOrEqual(result.latency.p90);
    expect(result.latency.mean).toBeGreaterThan(result.latency.p50 * 0.9);
    expect(result.throughputPerSec).toBeGreaterThan(0);
  });

  it('counts errors by code and excludes them from latency', async () => {
    const result = await runLoad({
      concurrency: 2,
      requests: 10,
      call: async (i) => {
        if (i % 5 === 0) throw Object.assign(new Error('boom'), { code: 'ECONNRESET' });
        if (i === 3) throw new TypeError('bad');
        if (i === 4) throw 'string';
      },
    });
    expect(result.count).toBe(10);
    expect(result.errors).toBe(4);
    expect(result.errorsByCode).toEqual({ ECONNRESET: 2, TypeError: 1, UNKNOWN: 1 });
  });

  it('stops by itself after durationMs and aborts calls in flight', async () => {
    const result = await runLoad({ concurrency: 3, durationMs: 60, call: (_i, signal) => wait(10, signal) });
    expect(result.stoppedBy).toBe('duration');
    expect(result.count).toBeGreaterThan(3);
    expect(result.durationMs).toBeGreaterThanOrEqual(55);
    expect(result.errors).toBe(0);
    expect(result.cancelled).toBeLessThanOrEqual(3);
  });

  it('stops on the caller signal and abandons calls that ignore it after drainTimeoutMs', async () => {
    const controller = new AbortController();
    let hung = 0;
    const pending = runLoad({
      concurrency: 2,
      requests: 1_000,
      drainTimeoutMs: 20,
      signal: controller.signal,
      call: (i) => (i < 2 ? new Promise<void>(() => void hung++) : Promise.resolve()),
    });
    await wait(10);
    controller.abort();
    const result = await pending;
    expect(result.stoppedBy).toBe('signal');
    expect(result.abandoned).toBe(2);
    expect(hung).toBe(2);
    expect(result.latency).toEqual({ p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 });

    const early = await runLoad({
      concurrency: 1,
      requests: 5,
      signal: AbortSignal.abort(),
      call: async () => undefined,
    });
    expect(early.count).toBe(0);
    expect(early.stoppedBy).toBe('signal');
  });

  it('leaves no timer behind', async () => {
    const before = await takeSnapshot();
    // Ten runs of each kind: a timer left per run would exceed the +2 allowed for runner noise.
    for (let i = 0; i < 10; i++) {
      await runLoad({ concurrency: 2, requests: 4, durationMs: 10_000, call: () => wait(1) });
      await runLoad({ concurrency: 2, durationMs: 5, call: (_i, s) => wait(1, s) });
    }
    const after = await takeSnapshot();
    expect(assertNoLeak(before, after, { heapBytes: 8 * 1024 * 1024, handles: 2 }).leaked).toBe(false);
  });

  it('rejects unbounded or malformed options', async () => {
    const call = async (): Promise<void> => undefined;
    await expect(runLoad({ concurrency: 1, call })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
    await expect(runLoad({ concurrency: 0, requests: 1, call })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
    await expect(runLoad({ concurrency: 1, requests: -1, call })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
    await expect(runLoad({ concurrency: 1, durationMs: NaN, call })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
    await expect(runLoad({ concurrency: 1, requests: 1, call: 3 as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
    await expect(runLoad(null as never)).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
  });
});

describe('renderMarkdownTable', () => {
  it('renders aligned columns, right-aligns numbers and escapes pipes', () => {
    const table = renderMarkdownTable([
      { transport: 'quic', p50: 2.345, rps: 1000 },
      { transport: 'tcp|tls', p50: 0.07, rps: 14000, note: 'a\nb' },
    ]);
    expect(table.split('\n')).toEqual([
      '| transport |  p50 |   rps | note |',
      '| --------- | ---: | ----: | ---- |',
      '| quic      | 2.35 |  1000 |      |',
      '| tcp\\|tls  | 0.07 | 14000 | a b  |',
    ]);
  });

  it('honours columns and fraction digits, and renders nothing without columns', () => {
    expect(renderMarkdownTable([{ a: 1.5, b: true, c: null }], { columns: ['b', 'a'], fractionDigits: 1 })).toBe(
      '| b    |   a |\n| ---- | --: |\n| true | 1.5 |',
    );
    expect(renderMarkdownTable([])).toBe('');
  });
});
