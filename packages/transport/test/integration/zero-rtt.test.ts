import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { quicEarlyData } from '../../src/quic/early-data-status';
import { QuicTransport } from '../../src/quic/quic-transport';
import type { Connection, QuicTransportOptions, TransportEvents } from '../../src/types';
import { createTestPki, text, utf8, waitFor, type TestPki } from '../helpers';
import { failOnUncaughtErrors } from '../support/no-uncaught';
import { UdpRelay, zeroRttPacketIn } from '../support/udp-relay';

const ONLY_READ = { idempotentMethods: ['read'] };
const READ_AND_WRITE = { idempotentMethods: ['read', 'write'] };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('QUIC 0-RTT resumption (real sockets, verified mutual TLS)', () => {
  let pki: TestPki;
  const transports: QuicTransport[] = [];
  const relays: UdpRelay[] = [];
  const calls = { read: 0, write: 0 };
  failOnUncaughtErrors();

  beforeAll(async () => {
    pki = await createTestPki();
  });
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close({ force: true })));
    await Promise.all(relays.splice(0).map((r) => r.close()));
    calls.read = calls.write = 0;
  });

  const make = (options: Partial<QuicTransportOptions>): QuicTransport => {
    const transport = new QuicTransport({ credentials: pki.server, retry: false, connectTimeoutMs: 5000, ...options });
    transports.push(transport);
    return transport;
  };
  const listener = async (options: Partial<QuicTransportOptions>, port = 0): Promise<[QuicTransport, number]> => {
    const server = make(options);
    server.handle('read', () => ((calls.read += 1), utf8(`read ${calls.read}`)));
    server.handle('write', () => ((calls.write += 1), utf8(`write ${calls.write}`)));
    return [server, (await server.listen({ host: '127.0.0.1', port })).port];
  };
  /** A dialer through a relay, with a ticket from one completed dial (its session closed). */
  const resumingClient = async (serverPort: number, zeroRtt = ONLY_READ): Promise<[QuicTransport, UdpRelay]> => {
    const relay = await UdpRelay.start(serverPort);
    relays.push(relay);
    const client = make({ credentials: pki.client, dialMode: 'eager', zeroRtt });
    const first = await client.dial({ host: '127.0.0.1', port: relay.port });
    expect(text(await first.request('read', utf8('x')))).toBe('read 1');
    expect(quicEarlyData(first)).toBe('none');
    await first.close();
    await sleep(20); // the ticket is kept once the session's close settles
    relay.log.length = 0;
    return [client, relay];
  };
  const dialHeld = async (client: QuicTransport, relay: UdpRelay): Promise<Connection> => {
    relay.holdServer = true; // the client never sees the server's flight: no handshake until release()
    return client.dial({ host: '127.0.0.1', port: relay.port });
  };

  it('runs an idempotent request sent in the first flight before the handshake completes', async () => {
    const [, port] = await listener({ zeroRtt: ONLY_READ });
    const [client, relay] = await resumingClient(port);
    const connection = await dialHeld(client, relay);
    const answer = connection.request('read', utf8('x'));
    await waitFor(() => calls.read === 2, 3000, 'the early read to run');
    expect(relay.firstFlight().some(zeroRttPacketIn)).toBe(true);
    expect(quicEarlyData(connection)).toBe('pending');
    relay.release();
    expect(text(await answer)).toBe('read 2');
    expect(quicEarlyData(connection)).toBe('accepted');
  });

  it.each([
    // The listener would run 'write' early: only the dialer's own declaration keeps it back.
    ['the dialer never sends it as early data', READ_AND_WRITE, ONLY_READ],
    // A dialer that declares 'write' idempotent sends it early; the listener's own list says no.
    ['the listener holds it when it arrives as early data', ONLY_READ, READ_AND_WRITE],
  ])('a non-idempotent request runs only once the handshake completes: %s', async (_how, listens, dials) => {
    const [, port] = await listener({ zeroRtt: listens });
    const [client, relay] = await resumingClient(port, dials);
    const connection = await dialHeld(client, relay);
    const write = connection.request('write', utf8('x'));
    const read = connection.request('read', utf8('x'));
    await waitFor(() => calls.read === 2, 3000, 'the early read to run');
    await sleep(300);
    expect(calls.write).toBe(0);
    relay.release();
    expect(text(await write)).toBe('write 1');
    expect(text(await read)).toBe('read 2');
    expect(calls.write).toBe(1);
  });

  it('refuses a replayed first flight: the idempotent request does not run again', async () => {
    const [server, port] = await listener({ zeroRtt: ONLY_READ });
    const [client, relay] = await resumingClient(port);
    const connection = await client.dial({ host: '127.0.0.1', port: relay.port });
    expect(text(await connection.request('read', utf8('x')))).toBe('read 2');
    expect(quicEarlyData(connection)).toBe('accepted');
    const flight = relay.firstFlight();
    expect(flight.some(zeroRttPacketIn)).toBe(true);
    await connection.close();
    // The listener forgets the connection (and its ids) after draining; the replay is then a new one.
    const endpoint = (server as unknown as { server: { size: number } }).server;
    await waitFor(() => endpoint.size === 0, 5000, 'the listener to forget the connection');
    await relay.replay(flight);
    await sleep(500);
    expect(calls.read).toBe(2);
    expect(endpoint.size).toBe(0);
  });

  it('falls back to 1-RTT by itself when the listener has a new ticket key', async () => {
    const [server, port] = await listener({ zeroRtt: ONLY_READ });
    const [client, relay] = await resumingClient(port);
    server.updateCredentials(pki.server); // new configs, new ticket key: the stored ticket is stale
    const connection = await client.dial({ host: '127.0.0.1', port: relay.port });
    expect(text(await connection.request('read', utf8('x')))).toBe('read 2');
    expect(quicEarlyData(connection)).toBe('rejected');
  });

  it('falls back to 1-RTT by itself when the listener does not take early data', async () => {
    const [first, port] = await listener({ zeroRtt: ONLY_READ });
    const [client, relay] = await resumingClient(port);
    await first.close();
    await listener({}, port); // same address, 0-RTT off
    const connection = await client.dial({ host: '127.0.0.1', port: relay.port });
    expect(text(await connection.request('read', utf8('x')))).toBe('read 2');
    expect(quicEarlyData(connection)).toBe('rejected');
  });

  it('refuses a resumed client whose certificate expired after its ticket was issued', async () => {
    const { issueCertificate } = await import('../../src/pki/certificate-authority');
    const expiresAt = Date.now() + 2000;
    const shortLived = await issueCertificate(pki.ca, {
      agentId: 'short-lived',
      usage: 'both',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(expiresAt),
    });
    const [server, port] = await listener({ zeroRtt: ONLY_READ });
    const errors: Array<TransportEvents['transportError']> = [];
    server.on('transportError', (e) => void errors.push(e));
    const relay = await UdpRelay.start(port);
    relays.push(relay);
    const credentials = { certPem: shortLived.certPem, keyPem: shortLived.keyPem, caPem: pki.ca.certPem };
    const client = make({ credentials, dialMode: 'eager', zeroRtt: ONLY_READ });
    const first = await client.dial({ host: '127.0.0.1', port: relay.port });
    expect(text(await first.request('read', utf8('x')))).toBe('read 1');
    await first.close();
    await waitFor(() => Date.now() > expiresAt + 50, 5000, 'the certificate to expire');
    const connection = await client.dial({ host: '127.0.0.1', port: relay.port });
    const refused = await connection.request('read', utf8('x')).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: expect.stringMatching(/^ERR_/) });
    expect(calls.read).toBe(1);
    expect(errors).toContainEqual(expect.objectContaining({ code: 'ERR_CERT_VERIFICATION' }));
  });
});
