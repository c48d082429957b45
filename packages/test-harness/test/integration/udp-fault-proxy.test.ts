import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createUdpFaultProxy } from '../../src/fault-proxy/udp-proxy';
import type { FaultProxy } from '../../src/fault-proxy/types';
import { startUdpEcho, udpClient } from '../support/echo-servers';

/** Waits until the proxy has seen `n` upstream datagrams (forwarded or dropped). */
async function untilSeen(proxy: FaultProxy, n: number, timeoutMs = 5_000): Promise<number> {
  const seen = () =>
    proxy.stats.upstream.forwardedPackets +
    proxy.stats.upstream.droppedPackets -
    proxy.stats.upstream.duplicatedPackets;
  const deadline = performance.now() + timeoutMs;
  while (seen() < n && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  return seen();
}

/** Sends one datagram through the proxy and resolves with the echo round trip in ms (or undefined on timeout). */
async function roundTrip(proxy: FaultProxy, timeoutMs = 2_000): Promise<number | undefined> {
  const client = await udpClient();
  try {
    const start = performance.now();
    client.send('ping', proxy.address.port);
    const ok = await client.waitFor(1, timeoutMs);
    return ok ? performance.now() - start : undefined;
  } finally {
    await client.close();
  }
}

describe('UDP fault proxy', () => {
  let echo: Awaited<ReturnType<typeof startUdpEcho>>;
  beforeAll(async () => {
    echo = await startUdpEcho();
  });
  afterAll(async () => {
    await echo.close();
  });

  it('forwards datagrams both ways transparently and counts them', async () => {
    const proxy = await createUdpFaultProxy({ target: { host: '127.0.0.1', port: echo.port } });
    try {
      expect(proxy.address.host).toBe('127.0.0.1');
      expect(await roundTrip(proxy)).toBeDefined();
      const { upstream, downstream, totalFlows } = proxy.stats;
      expect(upstream.forwardedPackets).toBe(1);
      expect(upstream.forwardedBytes).toBe(4);
      expect(downstream.forwardedPackets).toBe(1);
      expect(totalFlows).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('adds at least the configured latency each way', async () => {
    const proxy = await createUdpFaultProxy({
      target: { host: '127.0.0.1', port: echo.port },
      faults: { latencyMs: 40 },
    });
    try {
      const rtt = await roundTrip(proxy);
      expect(rtt).toBeGreaterThanOrEqual(80);
      expect(rtt).toBeLessThan(2_000);
    } finally {
      await proxy.close();
    }
  });

  it('applies per-direction latency overrides', async () => {
    const proxy = await createUdpFaultProxy({
      target: { host: '127.0.0.1', port: echo.port },
      faults: { downstream: { latencyMs: 60 } },
    });
    try {
      expect(await roundTrip(proxy)).toBeGreaterThanOrEqual(60);
      expect(proxy.faults.downstream.latencyMs).toBe(60);
      expect(proxy.faults.latencyMs).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('keeps datagram order under latency and jitter when reordering is off', async () => {
    const proxy = await createUdpFaultProxy({
      target: { host: '127.0.0.1', port: echo.port },
      faults: { latencyMs: 5, jitterMs: 5 },
      seed: 7,
    });
    const client = await udpClient();
    try {
      for (let i = 0; i < 50; i++) client.send(Buffer.from([i]), proxy.address.port);
      expect(await client.waitFor(50, 5_000)).toBe(true);
      expect(client.received.map((b) => b[0])).toEqual([...Array(50).keys()]);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('reorders, duplicates and corrupts when asked', async () => {
    const proxy = await createUdpFaultProxy({
      target: { host: '127.0.0.1', port: echo.port },
      faults: { upstream: { reorderRate: 0.3, reorderDelayMs: 15, duplicateRate: 0.2, corruptRate: 0.2 } },
      seed: 11,
    });
    const client = await udpClient();
    try {
      const n = 60;
      for (let i = 0; i < n; i++) client.send(Buffer.from([i, 0xaa]), proxy.address.port);
      // Reordered datagrams are still queued, so wait for all to be accounted for.
      const deadline = performance.now() + 5_000;
      while (
        proxy.stats.upstream.forwardedPackets + proxy.stats.upstream.droppedPackets < n &&
        performance.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 5));
      }
      const { upstream } = proxy.stats;
      expect(upstream.duplicatedPackets).toBeGreaterThan(0);
      expect(await client.waitFor(n + upstream.duplicatedPackets, 5_000)).toBe(true);
      const order = client.received.map((b) => b[0]);
      expect(order).not.toEqual([...order].sort((a, b) => a - b));
      const corrupted = client.received.filter((b) => b[1] !== 0xaa || b[0] >= n).length;
      expect(upstream.reorderedPackets).toBeGreaterThan(0);
      expect(upstream.corruptedPackets).toBeGreaterThan(0);
      // A flipped bit in the first byte is invisible to this check, so only a lower bound holds.
      expect(corrupted).toBeLessThanOrEqual(upstream.corruptedPackets);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('drops datagrams at the configured loss rate (seeded, within statistical bounds)', async () => {
    const n = 2_000;
    const lossRate = 0.2;
    const run = async (seed: number): Promise<number> => {
      const proxy = await createUdpFaultProxy({
        target: { host: '127.0.0.1', port: echo.port },
        faults: { upstream: { lossRate } },
        seed,
      });
      try {
        const client = await udpClient();
        // Send in windows so that no kernel socket buffer overflows and every datagram is decided on.
        for (let sent = 0; sent < n; sent += 100) {
          for (let i = sent; i < sent + 100; i++) client.send(Buffer.from([i & 0xff]), proxy.address.port);
          await untilSeen(proxy, sent + 100);
        }
        await client.close();
        expect(await untilSeen(proxy, n)).toBe(n);
        return proxy.stats.upstream.droppedPackets;
      } finally {
        await proxy.close();
      }
    };
    const dropped = await run(42);
    // 2000 Bernoulli(0.2) trials: sd ≈ 17.9; 5 sd either side.
    expect(dropped).toBeGreaterThan(n * lossRate - 90);
    expect(dropped).toBeLessThan(n * lossRate + 90);
    expect(await run(42)).toBe(dropped);
  });

  it('blackhole drops everything and keeps the session; clearing it heals', async () => {
    const proxy = await createUdpFaultProxy({
      target: { host: '127.0.0.1', port: echo.port },
      faults: { blackhole: true },
    });
    try {
      expect(await roundTrip(proxy, 200)).toBeUndefined();
      expect(proxy.stats.upstream.droppedPackets).toBe(1);
      expect(proxy.stats.upstream.forwardedPackets).toBe(0);
      proxy.setFaults({ blackhole: false });
      expect(await roundTrip(proxy)).toBeDefined();
    } finally {
      await proxy.close();
    }
  });

  it('partition drops both directions until healed, changed at run time', async () => {
    const proxy = await createUdpFaultProxy({ target: { host: '127.0.0.1', port: echo.port } });
    const client = await udpClient();
    try {
      client.send('a', proxy.address.port);
      expect(await client.waitFor(1, 2_000)).toBe(true);
      proxy.setFaults({ partition: true });
      client.send('b', proxy.address.port);
      expect(await client.waitFor(2, 200)).toBe(false);
      proxy.setFaults({ partition: false });
      client.send('c', proxy.address.port);
      expect(await client.waitFor(2, 2_000)).toBe(true);
      expect(client.received.map(String)).toEqual(['a', 'c']);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('drops downstream only when only the downstream is blackholed', async () => {
    const proxy = await createUdpFaultProxy({
      target: { host: '127.0.0.1', port: echo.port },
      faults: { downstream: { blackhole: true } },
    });
    try {
      expect(await roundTrip(proxy, 200)).toBeUndefined();
      expect(proxy.stats.upstream.forwardedPackets).toBe(1);
      expect(proxy.stats.downstream.droppedPackets).toBe(1);
      proxy.clearFaults();
      expect(proxy.faults.downstream).toEqual({});
      expect(await roundTrip(proxy)).toBeDefined();
    } finally {
      await proxy.close();
    }
  });

  it('limits bandwidth: a burst takes at least bytes / rate', async () => {
    const rate = 100_000;
    const proxy = await createUdpFaultProxy({
      target: { host: '127.0.0.1', port: echo.port },
      faults: { upstream: { bandwidthBytesPerSec: rate } },
    });
    const client = await udpClient();
    try {
      const n = 20;
      const start = performance.now();
      for (let i = 0; i < n; i++) client.send(Buffer.alloc(1_000, i), proxy.address.port);
      expect(await client.waitFor(n, 5_000)).toBe(true);
      expect(performance.now() - start).toBeGreaterThanOrEqual(((n * 1_000) / rate) * 1000 - 1);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('tail-drops when the queue limit is exceeded', async () => {
    const proxy = await createUdpFaultProxy({
      target: { host: '127.0.0.1', port: echo.port },
      faults: { upstream: { latencyMs: 50 } },
      queueLimitBytes: 2_500,
    });
    const client = await udpClient();
    try {
      for (let i = 0; i < 5; i++) client.send(Buffer.alloc(1_000), proxy.address.port);
      expect(await client.waitFor(2, 2_000)).toBe(true);
      const deadline = performance.now() + 2_000;
      while (proxy.stats.upstream.droppedPackets < 3 && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      expect(proxy.stats.upstream.droppedPackets).toBe(3);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('keeps one upstream session per client and expires idle sessions', async () => {
    const proxy = await createUdpFaultProxy({ target: { host: '127.0.0.1', port: echo.port }, sessionIdleMs: 50 });
    const a = await udpClient();
    const b = await udpClient();
    try {
      a.send('1', proxy.address.port);
      b.send('2', proxy.address.port);
      expect(await a.waitFor(1, 2_000)).toBe(true);
      expect(await b.waitFor(1, 2_000)).toBe(true);
      expect(proxy.stats.activeFlows).toBe(2);
      const deadline = performance.now() + 3_000;
      while (proxy.stats.activeFlows > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(proxy.stats.activeFlows).toBe(0);
      expect(proxy.stats.totalFlows).toBe(2);
    } finally {
      await a.close();
      await b.close();
      await proxy.close();
    }
  });
});
