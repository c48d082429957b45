import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createUdpFaultProxy } from '../../src/fault-proxy/udp-proxy';
import { startUdpEcho } from '../support/echo-servers';

describe('UDP fault proxy: bad input and errors', () => {
  let echo: Awaited<ReturnType<typeof startUdpEcho>>;
  beforeAll(async () => {
    echo = await startUdpEcho();
  });
  afterAll(async () => {
    await echo.close();
  });

  it(
    'rejects bad options and faults with ERR_INVALID_OPTIONS, ' + 'and use after close with ERR_PROXY_CLOSED',
    async () => {
      const target = { host: '127.0.0.1', port: echo.port };
      await expect(createUdpFaultProxy({ target: { host: '', port: 1 } })).rejects.toMatchObject({
        code: 'ERR_INVALID_OPTIONS',
      });
      await expect(createUdpFaultProxy({ target, faults: { lossRate: 2 } })).rejects.toMatchObject({
        code: 'ERR_INVALID_OPTIONS',
      });
      await expect(createUdpFaultProxy({ target, faults: { reset: true } })).rejects.toMatchObject({
        code: 'ERR_INVALID_OPTIONS',
      });
      await expect(createUdpFaultProxy({ target, sessionIdleMs: 0 })).rejects.toMatchObject({
        code: 'ERR_INVALID_OPTIONS',
      });
      const proxy = await createUdpFaultProxy({ target });
      expect(() => proxy.setFaults({ latencyMs: -1 })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTIONS' }),
      );
      expect(() => proxy.setFaults({ bogus: 1 } as never)).toThrow(/not a known fault/);
      expect(() => proxy.setFaults({ upstream: { blackhole: 'yes' } } as never)).toThrow(/boolean/);
      await proxy.close();
      await proxy.close();
      expect(() => proxy.setFaults({ latencyMs: 1 })).toThrow(expect.objectContaining({ code: 'ERR_PROXY_CLOSED' }));
      expect(() => proxy.clearFaults()).toThrow(expect.objectContaining({ code: 'ERR_PROXY_CLOSED' }));
    },
  );

  it('reports a port in use as ERR_PROXY_LISTEN', async () => {
    const proxy = await createUdpFaultProxy({ target: { host: '127.0.0.1', port: echo.port } });
    try {
      await expect(
        createUdpFaultProxy({ listen: { port: proxy.address.port }, target: { host: '127.0.0.1', port: echo.port } }),
      ).rejects.toMatchObject({ code: 'ERR_PROXY_LISTEN' });
    } finally {
      await proxy.close();
    }
  });
});
