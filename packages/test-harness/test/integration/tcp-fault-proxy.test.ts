import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import net from 'node:net';
import { once } from 'node:events';
import { createTcpFaultProxy } from '../../src/fault-proxy/tcp-proxy';
import type { FaultProxy } from '../../src/fault-proxy/types';
import { startTcpEcho } from '../support/echo-servers';

/** Resolves when the socket has closed, whatever the reason (events.once would reject on 'error'). */
const closed = (socket: net.Socket): Promise<unknown> => new Promise((resolve) => socket.once('close', resolve));

async function connect(proxy: FaultProxy): Promise<net.Socket> {
  const socket = net.connect(proxy.address.port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Writes `data` and resolves with the ms until as many bytes came back, or undefined after timeoutMs. */
function echoTime(socket: net.Socket, data: Buffer | string, timeoutMs = 3_000): Promise<number | undefined> {
  const expected = Buffer.byteLength(data);
  const start = performance.now();
  return new Promise((resolve) => {
    let got = 0;
    const onData = (chunk: Buffer): void => {
      got += chunk.length;
      if (got >= expected) finish(performance.now() - start);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    function finish(result: number | undefined): void {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(result);
    }
    socket.on('data', onData);
    socket.write(data);
  });
}

describe('TCP fault proxy', () => {
  let echo: Awaited<ReturnType<typeof startTcpEcho>>;
  beforeAll(async () => {
    echo = await startTcpEcho();
  });
  afterAll(async () => {
    await echo.close();
  });
  const target = () => ({ host: '127.0.0.1', port: echo.port });

  it('forwards a byte stream both ways and propagates half-close', async () => {
    const proxy = await createTcpFaultProxy({ target: target() });
    try {
      const socket = await connect(proxy);
      expect(await echoTime(socket, 'hello')).toBeDefined();
      socket.end();
      await once(socket, 'end');
      await once(socket, 'close');
      expect(proxy.stats.upstream.forwardedBytes).toBe(5);
      expect(proxy.stats.downstream.forwardedBytes).toBe(5);
      expect(proxy.stats.totalFlows).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('adds at least the configured latency each way, changeable at run time', async () => {
    const proxy = await createTcpFaultProxy({ target: target() });
    const socket = await connect(proxy);
    try {
      proxy.setFaults({ latencyMs: 100 });
      expect(await echoTime(socket, 'x')).toBeGreaterThanOrEqual(200);
      proxy.setFaults({ upstream: { latencyMs: 0 }, downstream: { latencyMs: 0 } });
      expect(proxy.faults.latencyMs).toBe(100);
      // Overrides win: the round trip no longer pays 2 x 100 ms (generous margin for a busy machine).
      expect(await echoTime(socket, 'y')).toBeLessThan(200);
    } finally {
      socket.destroy();
      await proxy.close();
    }
  });

  it('models loss as a stall of at least lossStallMinMs', async () => {
    const proxy = await createTcpFaultProxy({
      target: target(),
      faults: { upstream: { lossRate: 1 } },
      lossStallMinMs: 80,
      seed: 1,
    });
    const socket = await connect(proxy);
    try {
      expect(await echoTime(socket, 'lost once')).toBeGreaterThanOrEqual(80);
      expect(proxy.stats.upstream.stalledPackets).toBe(1);
      expect(proxy.stats.upstream.droppedPackets).toBe(0);
    } finally {
      socket.destroy();
      await proxy.close();
    }
  });

  it('reset destroys open connections with ECONNRESET and resets new ones until cleared', async () => {
    const proxy = await createTcpFaultProxy({ target: target() });
    try {
      const socket = await connect(proxy);
      expect(await echoTime(socket, 'a')).toBeDefined();
      const failed = once(socket, 'error');
      proxy.setFaults({ reset: true });
      const [err] = (await failed) as [NodeJS.ErrnoException];
      expect(err.code).toBe('ECONNRESET');

      const second = net.connect(proxy.address.port, '127.0.0.1');
      const [err2] = (await once(second, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
      expect(err2.code).toBe('ECONNRESET');

      proxy.setFaults({ reset: false });
      const third = await connect(proxy);
      expect(await echoTime(third, 'b')).toBeDefined();
      third.destroy();
    } finally {
      await proxy.close();
    }
  });

  it('blackhole holds data with the connection open and delivers it once healed', async () => {
    const proxy = await createTcpFaultProxy({ target: target() });
    const socket = await connect(proxy);
    try {
      proxy.setFaults({ downstream: { blackhole: true } });
      const pending = echoTime(socket, 'held', 5_000);
      await new Promise((r) => setTimeout(r, 150));
      expect(proxy.stats.downstream.forwardedBytes).toBe(0);
      expect(socket.destroyed).toBe(false);
      proxy.setFaults({ downstream: { blackhole: false } });
      expect(await pending).toBeGreaterThanOrEqual(140);
    } finally {
      socket.destroy();
      await proxy.close();
    }
  });

  it('partition holds new connections and traffic until healed', async () => {
    const proxy = await createTcpFaultProxy({ target: target(), faults: { partition: true } });
    try {
      const socket = await connect(proxy);
      const pending = echoTime(socket, 'after heal', 5_000);
      await new Promise((r) => setTimeout(r, 150));
      expect(proxy.stats.upstream.forwardedBytes).toBe(0);
      proxy.setFaults({ partition: false });
      expect(await pending).toBeGreaterThanOrEqual(140);
      socket.destroy();
    } finally {
      await proxy.close();
    }
  });

  it('limits bandwidth: a transfer slows down and completes intact', async () => {
    const rate = 400_000;
    const size = 120_000;
    const proxy = await createTcpFaultProxy({
      target: target(),
      faults: { upstream: { bandwidthBytesPerSec: rate } },
      queueLimitBytes: 16_384,
    });
    const socket = await connect(proxy);
    try {
      const payload = Buffer.alloc(size, 7);
      const elapsed = await echoTime(socket, payload, 10_000);
      expect(elapsed).toBeDefined();
      expect(elapsed).toBeGreaterThanOrEqual((size / rate) * 1000 * 0.9);
      expect(proxy.stats.downstream.forwardedBytes).toBe(size);
    } finally {
      socket.destroy();
      await proxy.close();
    }
  });

  it('closes the client when the target refuses or drops the connection', async () => {
    const free = net.createServer();
    free.listen(0, '127.0.0.1');
    await once(free, 'listening');
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const refused = await createTcpFaultProxy({ target: { host: '127.0.0.1', port } });
    try {
      const socket = net.connect(refused.address.port, '127.0.0.1');
      socket.on('error', () => undefined);
      await closed(socket);
      expect(refused.stats.activeFlows).toBe(0);
    } finally {
      await refused.close();
    }

    const proxy = await createTcpFaultProxy({ target: target() });
    try {
      const socket = await connect(proxy);
      expect(await echoTime(socket, 'z')).toBeDefined();
      socket.on('error', () => undefined);
      for (const s of echo.sockets) s.destroy();
      await closed(socket);
    } finally {
      await proxy.close();
    }
  });

  it('rejects UDP-only faults and bad options', async () => {
    await expect(createTcpFaultProxy({ target: target(), faults: { duplicateRate: 0.1 } })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
    await expect(createTcpFaultProxy({ target: target(), lossStallMinMs: -1 })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
    await expect(createTcpFaultProxy({ target: target(), queueLimitBytes: 0 })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
    await expect(createTcpFaultProxy({ target: target(), seed: 1.5 })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
    await expect(createTcpFaultProxy({ target: target(), listen: { port: -1 } })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
    await expect(createTcpFaultProxy(null as never)).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
    const proxy = await createTcpFaultProxy({ target: target() });
    await expect(
      createTcpFaultProxy({ target: target(), listen: { port: proxy.address.port } }),
    ).rejects.toMatchObject({
      code: 'ERR_PROXY_LISTEN',
    });
    expect(() => proxy.setFaults({ upstream: { corruptRate: 0.5 } })).toThrow(/UDP only/);
    expect(() => proxy.setFaults(null as never)).toThrow(/must be an object/);
    expect(() => proxy.setFaults({ upstream: 3 } as never)).toThrow(/must be an object/);
    await proxy.close();
    expect(() => proxy.clearFaults()).toThrow(expect.objectContaining({ code: 'ERR_PROXY_CLOSED' }));
    expect(() => proxy.setFaults({})).toThrow(expect.objectContaining({ code: 'ERR_PROXY_CLOSED' }));
  });

  it('close() destroys open connections', async () => {
    const proxy = await createTcpFaultProxy({ target: target(), faults: { partition: true } });
    const socket = await connect(proxy);
    socket.on('error', () => undefined);
    const second = await connect(proxy);
    second.on('error', () => undefined);
    proxy.setFaults({ partition: false });
    await echoTime(second, 'ok');
    proxy.clearFaults();
    const bothClosed = Promise.all([closed(socket), closed(second)]);
    await proxy.close();
    await proxy.close();
    await bothClosed;
    expect(proxy.stats.activeFlows).toBe(0);
  });
});
