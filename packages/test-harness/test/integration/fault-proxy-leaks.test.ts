import { describe, it, expect } from '@jest/globals';
import net from 'node:net';
import { once } from 'node:events';
import { createTcpFaultProxy } from '../../src/fault-proxy/tcp-proxy';
import { createUdpFaultProxy } from '../../src/fault-proxy/udp-proxy';
import { takeSnapshot, assertNoLeak } from '../../src/leak-checker';
import { startTcpEcho, startUdpEcho, udpClient } from '../support/echo-servers';

describe('fault proxies release everything on close', () => {
  it('leaves no socket, timer or heap behind after many open/use/close cycles', async () => {
    const udpEcho = await startUdpEcho();
    const tcpEcho = await startTcpEcho();
    const client = await udpClient();
    const cycle = async (): Promise<void> => {
      const udp = await createUdpFaultProxy({
        target: { host: '127.0.0.1', port: udpEcho.port },
        faults: { latencyMs: 1 },
        sessionIdleMs: 30_000,
      });
      const tcp = await createTcpFaultProxy({
        target: { host: '127.0.0.1', port: tcpEcho.port },
        faults: { latencyMs: 1 },
      });
      const seen = client.received.length;
      client.send('x', udp.address.port);
      expect(await client.waitFor(seen + 1, 2_000)).toBe(true);
      const socket = net.connect(tcp.address.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write('y');
      await once(socket, 'data');
      // Leave traffic queued in the delay lines when closing.
      client.send('queued', udp.address.port);
      socket.write('queued');
      const socketClosed = new Promise((r) => socket.once('close', r));
      await Promise.all([udp.close(), tcp.close()]);
      await socketClosed;
    };
    // Warm up module caches and lazily created internals before the baseline.
    await cycle();
    await new Promise((r) => setTimeout(r, 20));
    const before = await takeSnapshot();
    for (let i = 0; i < 20; i++) await cycle();
    await new Promise((r) => setTimeout(r, 20));
    const after = await takeSnapshot();
    await client.close();
    await udpEcho.close();
    await tcpEcho.close();
    // A leak grows with the 20 cycles; +2 absorbs stray timers of the test runner itself.
    expect(assertNoLeak(before, after, { heapBytes: 8 * 1024 * 1024, handles: 2 }).leaked).toBe(false);
  });
});
