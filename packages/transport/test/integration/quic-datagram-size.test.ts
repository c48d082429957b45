import { beforeAll, describe, expect, it } from '@jest/globals';
import { networkInterfaces } from 'node:os';
import { LOOPBACK_DATAGRAM_BYTES, PATH_DATAGRAM_BYTES } from '../../src/quic/endpoint/datagram-size';
import { quicEarlyData } from '../../src/quic/early-data-status';
import { QuicTransport } from '../../src/quic/quic-transport';
import type { ZeroRttOptions } from '../../src/types';
import { closedAfterEach, createTestPki, type TestPki, text, utf8, waitFor } from '../helpers';
import { failOnUncaughtErrors } from '../support/no-uncaught';
import { holdsTicket } from '../support/session-tickets';
import { UdpRelay } from '../support/udp-relay';

/** An address of this host on another interface than loopback: a listener sees it as a peer elsewhere. */
const otherInterface = Object.values(networkInterfaces())
  .flat()
  .find((address) => address?.family === 'IPv4' && !address.internal)?.address;

const MODES: ReadonlyArray<{ label: string; zeroRtt?: ZeroRttOptions }> = [
  { label: '1-RTT' },
  { label: '0-RTT (the second dial resumes with a ticket)', zeroRtt: { idempotentMethods: ['echo'] } },
];

describe.each(MODES)('QUIC listener datagram sizes, $label', ({ zeroRtt }) => {
  let pki: TestPki;
  const open = closedAfterEach();
  failOnUncaughtErrors();

  beforeAll(async () => {
    pki = await createTestPki();
  });

  it.each([
    ['a peer on loopback gets datagrams up to 16 KiB', '127.0.0.1', LOOPBACK_DATAGRAM_BYTES, undefined],
    ['a peer at another address gets 1,350-byte datagrams', otherInterface, PATH_DATAGRAM_BYTES, undefined],
    ['maxUdpPayloadBytes 1,422 on both peers: 1,422-byte datagrams', otherInterface, 1422, 1422],
  ])('%s', async (_label, serverHost, limit, maxUdpPayloadBytes) => {
    if (serverHost === undefined) throw new Error('this host has no IPv4 address besides loopback');
    const server = new QuicTransport({ credentials: pki.server, retry: false, zeroRtt, maxUdpPayloadBytes });
    server.handle('echo', (body) => body);
    open.push(server);
    const { port } = await server.listen({ host: serverHost, port: 0 });
    const relay = await UdpRelay.start(port, serverHost);
    open.push(relay);
    const client = new QuicTransport({ credentials: pki.client, dialMode: 'eager', zeroRtt, maxUdpPayloadBytes });
    open.push(client);
    const body = Buffer.alloc(64 * 1024, 7);
    for (const dial of [1, 2]) {
      relay.log.length = 0;
      const connection = await client.dial({ host: '127.0.0.1', port: relay.port, serverName: 'localhost' });
      // quiche sends at most 1,200-byte datagrams until the handshake completes (an early answer too).
      expect(text(await connection.request('echo', utf8('early')))).toBe('early');
      if (dial === 2 && zeroRtt !== undefined) expect(quicEarlyData(connection)).not.toBe('none');
      await connection.accepted;
      expect(Buffer.from(await connection.request('echo', body)).equals(body)).toBe(true);
      await connection.close();
      if (zeroRtt !== undefined) await waitFor(() => holdsTicket(client, relay.port, 'localhost'), 3000, 'a ticket');
      const largest = Math.max(...relay.log.filter((d) => !d.toServer).map((d) => d.bytes.byteLength));
      expect(largest).toBeLessThanOrEqual(limit);
      // A 64 KiB answer fills datagrams up to the limit (quiche's packets reach ~16 KiB on loopback).
      expect(largest).toBeGreaterThan(limit === PATH_DATAGRAM_BYTES ? PATH_DATAGRAM_BYTES - 100 : PATH_DATAGRAM_BYTES);
    }
  });
});
