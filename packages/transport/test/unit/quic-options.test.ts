import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { InvalidOptionsError } from '@agentlink/resilience';
import { QuicTransport } from '../../src/quic/quic-transport';
import { TcpTlsTransport } from '../../src/tcp/tcp-tls-transport';
import type { QuicTransportOptions } from '../../src/types';
import { createTestPki, text, utf8, type TestPki } from '../helpers';

describe('QUIC retry and coalesceSends options', () => {
  let pki: TestPki;
  const opened: QuicTransport[] = [];
  const make = (options: Partial<QuicTransportOptions>, credentials = pki.server): QuicTransport => {
    const transport = new QuicTransport({ credentials, ...options });
    opened.push(transport);
    return transport;
  };

  beforeAll(async () => {
    pki = await createTestPki();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((transport) => transport.close()));
  });

  it.each([
    ['retry', 'no'],
    ['retry', 0],
    ['coalesceSends', 1],
    ['coalesceSends', null],
    ['tailLossProbe', 'off'],
    ['tailLossProbe', 0],
    ['libraryLogLevel', 'chatty'],
    ['alpn', []],
    ['alpn', ['']],
    ['alpn', 'h3'],
    ['congestionControl', 'bbr2'],
    ['congestionControl', 'BBR'],
    ['congestionControl', 1],
    ['maxUdpPayloadBytes', 1199],
    ['maxUdpPayloadBytes', 16 * 1024 + 1],
    ['maxUdpPayloadBytes', 1400.5],
    ['maxUdpPayloadBytes', '1400'],
    ['laneMaxBytes', -1],
    ['laneMaxBytes', 1.5],
    ['laneMaxBytes', '1024'],
  ])('refuses %s = %p with InvalidOptionsError', (name, value) => {
    expect(
      () => new QuicTransport({ credentials: pki.server, [name]: value } as unknown as QuicTransportOptions),
    ).toThrow(InvalidOptionsError);
  });

  it.each(['fast', 'EAGER', 1, null, true])(
    'refuses dialMode = %p with InvalidOptionsError on both transports',
    (value) => {
      const options = { credentials: pki.client, dialMode: value } as unknown as QuicTransportOptions;
      expect(() => new QuicTransport(options)).toThrow(InvalidOptionsError);
      expect(() => new TcpTlsTransport(options)).toThrow(/dialMode must be 'confirmed' or 'eager'/);
    },
  );

  it('shares one client UDP socket across dials and replaces it if it stopped', async () => {
    const server = make({ retry: false });
    server.handle('echo', (body) => body);
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const client = make({ dialMode: 'eager' }, pki.client);
    type Sockets = Map<string, Promise<{ port: number; close: () => Promise<void> }>>;
    const sockets = (client as unknown as { clientSockets: Sockets }).clientSockets;
    const first = await client.dial({ host: '127.0.0.1', port });
    const second = await client.dial({ host: '127.0.0.1', port });
    expect(sockets.size).toBe(1);
    expect(text(await second.request('echo', utf8('b')))).toBe('b');
    await Promise.all([first.close(), second.close()]);
    const socket = await [...sockets.values()][0]!;
    await socket.close();
    const third = await client.dial({ host: '127.0.0.1', port });
    expect(text(await third.request('echo', utf8('c')))).toBe('c');
    expect(sockets.size).toBe(1);
    expect(await [...sockets.values()][0]!).not.toBe(socket);
  });

  it('writes the library log to stderr at libraryLogLevel "debug" and nothing when silent', async () => {
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
    try {
      for (const level of ['silent', 'debug'] as const) {
        lines.length = 0;
        const server = make({ libraryLogLevel: level });
        server.handle('echo', (body) => body);
        const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
        const client = make({ libraryLogLevel: level }, pki.client);
        const connection = await client.dial({ host: '127.0.0.1', port });
        expect(text(await connection.request('echo', utf8('x')))).toBe('x');
        await connection.close();
        await Promise.all([client.close(), server.close()]);
        if (level === 'silent') expect(lines).toEqual([]);
        else expect(lines.some((line) => line.includes('agentlink-quic'))).toBe(true);
      }
    } finally {
      spy.mockRestore();
    }
  });

  it.each([
    { retry: false, coalesceSends: true },
    { retry: false, coalesceSends: false },
    { retry: true, coalesceSends: true },
    { retry: true, coalesceSends: true, dialMode: 'eager' as const },
    { retry: true, coalesceSends: false, dialMode: 'eager' as const },
  ])('serves requests with %p', async ({ dialMode, ...options }) => {
    const server = make(options);
    server.handle('echo', (body) => body);
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const client = make({ ...options, dialMode }, pki.client);
    const connection = await client.dial({ host: '127.0.0.1', port });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => connection.request('echo', utf8(`m${i}`)).then(text)),
    );
    expect(answers).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });
});
