import { describe, it, expect } from '@jest/globals';
import { QuicTransport, TcpTlsTransport, type Transport } from '@agentlink/transport';
import { createTcpFaultProxy } from '../../src/fault-proxy/tcp-proxy';
import { createUdpFaultProxy } from '../../src/fault-proxy/udp-proxy';
import { createTestPki } from '../../src/pki/test-pki';

// End-to-end: the real transports, with test-PKI credentials, through the fault proxies.
describe('agentlink transports through the fault proxies', () => {
  const cases = [
    {
      name: 'QUIC over the UDP proxy',
      make: (c: ConstructorParameters<typeof QuicTransport>[0]) => new QuicTransport(c),
      proxy: createUdpFaultProxy,
    },
    {
      name: 'TLS over the TCP proxy',
      make: (c: ConstructorParameters<typeof TcpTlsTransport>[0]) => new TcpTlsTransport(c),
      proxy: createTcpFaultProxy,
    },
  ] as const;

  for (const { name, make, proxy: createProxy } of cases) {
    it(`${name}: a request succeeds with 20 ms added each way and takes at least one round trip`, async () => {
      const pki = await createTestPki({ agentIds: ['server', 'client'] });
      const server: Transport = make({ credentials: pki.agents.server });
      const client: Transport = make({ credentials: pki.agents.client });
      server.handle('echo', (body) => body);
      const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
      const proxy = await createProxy({ target: { host: '127.0.0.1', port }, faults: { latencyMs: 20 } });
      try {
        const connection = await client.dial(
          { host: '127.0.0.1', port: proxy.address.port, serverName: 'localhost' },
          { timeoutMs: 10_000 },
        );
        expect(connection.peer.agentId).toBe('server');
        const start = performance.now();
        expect(await connection.requestJson('echo', { hello: 'fleet' })).toEqual({ hello: 'fleet' });
        expect(performance.now() - start).toBeGreaterThanOrEqual(40);
        expect(proxy.stats.upstream.forwardedBytes).toBeGreaterThan(0);
        expect(proxy.stats.downstream.forwardedBytes).toBeGreaterThan(0);
      } finally {
        await client.close();
        await server.close();
        await proxy.close();
      }
    });
  }
});
