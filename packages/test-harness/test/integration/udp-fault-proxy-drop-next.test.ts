import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { InvalidOptionsError, ProxyClosedError } from '../../src/errors';
import type { UdpFaultProxy } from '../../src/fault-proxy/types';
import { createUdpFaultProxy } from '../../src/fault-proxy/udp-proxy';
import { startUdpEcho, udpClient } from '../support/echo-servers';

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('UDP fault proxy: dropNext (one loss, placed exactly)', () => {
  let echo: Awaited<ReturnType<typeof startUdpEcho>>;
  beforeAll(async () => {
    echo = await startUdpEcho();
  });
  afterAll(async () => {
    await echo.close();
  });
  type Client = Awaited<ReturnType<typeof udpClient>>;
  /** A proxy to the echo server and a client, both closed after `body`. */
  async function throughProxy(body: (proxy: UdpFaultProxy, client: Client) => Promise<void>): Promise<void> {
    const proxy = await createUdpFaultProxy({ target: { host: '127.0.0.1', port: echo.port } });
    const client = await udpClient();
    try {
      await body(proxy, client);
    } finally {
      await client.close();
      await proxy.close();
    }
  }

  it('drops only the next upstream datagram longer than minBytes, then forwards again', () =>
    throughProxy(async (proxy, client) => {
      proxy.dropNext('upstream', 3);
      expect(proxy.dropPending).toBe(true);
      for (const text of ['ack', 'data-1', 'data-2']) {
        client.send(text, proxy.address.port);
        await settle(20);
      }
      expect(await client.waitFor(2, 2_000)).toBe(true);
      await settle(50);
      expect(client.received.map((b) => b.toString())).toEqual(['ack', 'data-2']);
      expect(proxy.dropPending).toBe(false);
      expect(proxy.stats.upstream.droppedPackets).toBe(1);
      expect(proxy.stats.downstream.droppedPackets).toBe(0);
    }));

  it('drops the answer, not the request, when asked for downstream', () =>
    throughProxy(async (proxy, client) => {
      proxy.dropNext('downstream');
      client.send('first', proxy.address.port);
      await settle(50);
      client.send('second', proxy.address.port);
      expect(await client.waitFor(1, 2_000)).toBe(true);
      await settle(50);
      expect(client.received.map((b) => b.toString())).toEqual(['second']);
      expect(proxy.stats.upstream.forwardedPackets).toBe(2);
      expect(proxy.stats.downstream.droppedPackets).toBe(1);
    }));

  it('names a bad direction or size, forgets a pending drop on clearFaults(), and refuses after close', async () => {
    const proxy = await createUdpFaultProxy({ target: { host: '127.0.0.1', port: echo.port } });
    expect(() => proxy.dropNext('sideways' as 'upstream')).toThrow(/direction must be 'upstream' or 'downstream'/);
    expect(() => proxy.dropNext('upstream', -1)).toThrow(InvalidOptionsError);
    expect(() => proxy.dropNext('upstream', Number.NaN)).toThrow(/minBytes must be a finite number >= 0, got NaN/);
    proxy.dropNext('upstream');
    proxy.clearFaults();
    expect(proxy.dropPending).toBe(false);
    await proxy.close();
    expect(() => proxy.dropNext('upstream')).toThrow(ProxyClosedError);
  });
});
