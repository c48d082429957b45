import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeFrame, encodeMethodPayload, FrameType } from '../../src/frame/frame-codec';
import type { EndpointCounters } from '../../src/quic/endpoint/quic-endpoint';
import { quicEarlyData } from '../../src/quic/early-data-status';
import { QuicTransport } from '../../src/quic/quic-transport';
import { TcpTlsTransport } from '../../src/tcp/tcp-tls-transport';
import type { Connection, ZeroRttOptions } from '../../src/types';
import { createTestPki, text, utf8, waitFor, type TestPki } from '../helpers';
import { failOnUncaughtErrors } from '../support/no-uncaught';
import { clientOneRttKeys, sealShortHeaderPacket, streamFrame } from '../support/crafted-packets';
import { rawQuicClient, rawTicket } from '../support/raw-quic-client';
import { takeTicket } from '../support/session-tickets';

// The two crashes of issue 13, as an attacker (one datagram, no certificate) and as a standard
// peer (streams opened in its handshake flight) would provoke them, at production listeners.

const LONG_TYPES = { initial: 0x0, zeroRtt: 0x1, handshake: 0x2, retry: 0x3 } as const;

/** A long-header packet (RFC 9000 §17.2) with an unknown, random connection id and junk protection. */
function longHeader(type: number, version: number, size: number): Buffer {
  const dcid = randomBytes(8);
  const scid = randomBytes(8);
  const head = Buffer.concat([
    Buffer.from([0xc0 | (type << 4) | 0x03]),
    Buffer.from([version >>> 24, (version >>> 16) & 0xff, (version >>> 8) & 0xff, version & 0xff]),
    Buffer.from([dcid.byteLength]),
    dcid,
    Buffer.from([scid.byteLength]),
    scid,
  ]);
  // Initial: token length 0; then a 2-byte varint length of the rest.
  const token = type === LONG_TYPES.initial ? Buffer.from([0]) : Buffer.alloc(0);
  const restLength = Math.max(20, size - head.byteLength - token.byteLength - 2);
  const length = Buffer.from([0x40 | (restLength >> 8), restLength & 0xff]);
  return Buffer.concat([head, token, length, randomBytes(restLength)]);
}

const request = (id: number, body: string): Buffer =>
  encodeFrame(FrameType.Request, id, encodeMethodPayload('echo', utf8(body)), 1 << 16);

interface Mode {
  readonly label: string;
  /** 0-RTT on: the listener takes early data and the good dialers resume with a ticket and send early data. */
  readonly zeroRtt?: ZeroRttOptions;
}
const MODES: readonly Mode[] = [
  { label: 'a production QUIC listener' },
  { label: 'a production QUIC listener with 0-RTT on', zeroRtt: { idempotentMethods: ['echo'] } },
];

describe.each(MODES)('$label', ({ zeroRtt }) => {
  let pki: TestPki;
  let quic: QuicTransport;
  let tcp: TcpTlsTransport;
  let port: number;
  let tcpPort: number;
  let dialer: QuicTransport;
  let good: Connection;
  const counters = (): EndpointCounters =>
    (quic as unknown as { server: { counters: EndpointCounters } }).server.counters;
  const resuming = zeroRtt === undefined ? {} : { zeroRtt, dialMode: 'eager' as const };

  beforeAll(async () => {
    pki = await createTestPki();
    // Production: default options, verification on, Retry on (as an agent ships).
    quic = new QuicTransport({ credentials: pki.server, maxConcurrentStreams: 2, zeroRtt });
    tcp = new TcpTlsTransport({ credentials: pki.server });
    for (const transport of [quic, tcp]) transport.handle('echo', (body) => body);
    port = (await quic.listen({ host: '127.0.0.1', port: 0 })).port;
    tcpPort = (await tcp.listen({ host: '127.0.0.1', port: 0 })).port;
    dialer = new QuicTransport({ credentials: pki.client, ...resuming });
    if (zeroRtt !== undefined) await takeTicket(dialer, port);
    good = await dialer.dial({ host: '127.0.0.1', port });
    // A resumed eager dial resolves at once: let its first flight (and Retry) settle before counting datagrams.
    await good.accepted;
  });

  afterAll(async () => {
    await dialer.close();
    await Promise.all([quic.close(), tcp.close()]);
  });

  async function stillServing(label: string): Promise<void> {
    expect(text(await good.request('echo', utf8(label)))).toBe(label);
    const fresh = new QuicTransport({ credentials: pki.client, ...resuming });
    const tcpClient = new TcpTlsTransport({ credentials: pki.client });
    try {
      // With 0-RTT: a resumed dial whose request the listener still takes as early data.
      if (zeroRtt !== undefined) await takeTicket(fresh, port);
      const connection = await fresh.dial({ host: '127.0.0.1', port });
      expect(text(await connection.request('echo', utf8(`${label} new`)))).toBe(`${label} new`);
      // 0-RTT: the request left as early data ('rejected' too: after the Retry quiche sends it again).
      if (zeroRtt === undefined) expect(quicEarlyData(connection)).toBe('none');
      else expect(quicEarlyData(connection)).not.toBe('none');
      const overTcp = await tcpClient.dial({ host: '127.0.0.1', port: tcpPort });
      expect(text(await overTcp.request('echo', utf8(`${label} tcp`)))).toBe(`${label} tcp`);
    } finally {
      await Promise.all([fresh.close(), tcpClient.close()]);
    }
  }

  describe('and unauthenticated datagrams', () => {
    failOnUncaughtErrors();

    it.each([
      ['Handshake', LONG_TYPES.handshake, 1, 1200],
      ['0-RTT', LONG_TYPES.zeroRtt, 1, 1200],
      ['Retry', LONG_TYPES.retry, 1, 200],
      ['Initial, unknown version', LONG_TYPES.initial, 0x1a2a3a4a, 1200],
      ['Initial, too short', LONG_TYPES.initial, 1, 300],
      ['Initial, junk payload', LONG_TYPES.initial, 1, 1200],
    ])('survives one crafted %s datagram with an unknown connection id', async (_label, type, version, size) => {
      const before = { ...counters() };
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) =>
        socket.send(longHeader(type, version, size), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      );
      socket.close();
      await waitFor(() => counters().received > before.received, 3000, 'the datagram at the listener');
      // Each is dropped, answered statelessly (version negotiation, Retry) or refused by quiche: no state kept.
      const after = counters();
      const stateless = (c: EndpointCounters): number => c.dropped + c.versionNegotiations + c.retries;
      const handled = stateless(after) - stateless(before);
      expect(handled).toBe(1);
      if (version !== 1) expect(after.versionNegotiations).toBe(before.versionNegotiations + 1);
      await stillServing(`after ${_label}`);
    });
  });

  describe('and peers that open any stream at any time', () => {
    failOnUncaughtErrors();

    const flight = zeroRtt === undefined ? 'handshake flight' : '0-RTT first flight (resumed with a ticket)';
    const title =
      'refuses unidirectional streams, serves bidirectional ones out of order and survives an instant reset, ' +
      `all in the ${flight}`;
    it(title, async () => {
      const ticket = zeroRtt === undefined ? undefined : await rawTicket(port, pki.client);
      const client = await rawQuicClient(port, pki.client, { earlyData: ticket !== undefined }, undefined, ticket);
      const native = client.connection.native;
      const refused: string[] = [];
      let uniCapacityAtStart: unknown;
      const hostile = (): void => {
        native.streamSend(2, utf8('unidirectional junk'), false); // client uni stream: not used by agentlink/1
        uniCapacityAtStart = native.streamCapacity(2);
        native.streamSend(8, request(5, 'third'), true); // opens 0 and 4 implicitly (out of order)
        native.streamSend(0, request(1, 'first'), true);
        native.streamSend(4, request(3, 'reset'), false);
        native.streamShutdown(4, 1, 7); // reset at once
      };
      if (ticket === undefined) {
        // Runs inside the recv() that completes our handshake: these go out with our Finished.
        client.onEstablished = hostile;
      } else {
        // Resumed: these leave as 0-RTT early data, before the listener has seen our Finished.
        expect(native.isInEarlyData()).toBe(true);
        hostile();
        client.connection.flush();
      }
      await client.established;
      const answered = (): boolean => client.readableStreams.has(0) && client.readableStreams.has(8);
      await waitFor(answered, 5000, 'answers on streams 0 and 8');
      expect(text(client.answers.get(0)!)).toContain('first');
      expect(text(client.answers.get(8)!)).toContain('third');
      expect(client.answers.has(4)).toBe(false);
      // Our limit is 2 concurrent streams (credit 4): beyond it, quiche refuses on the opener's side.
      try {
        for (let id = 12; id <= 4 * 20; id += 4) native.streamSend(id, request(id + 1, 'over'), true);
      } catch (error) {
        refused.push((error as Error).message);
      }
      expect(refused).toEqual([expect.stringMatching(/StreamLimit/)]);
      // The unidirectional stream got STOP_SENDING: quiche reset and then dropped our sending side.
      expect(typeof uniCapacityAtStart).toBe('number');
      await waitFor(() => {
        try {
          native.streamCapacity(2);
          return false;
        } catch (error) {
          return /InvalidStreamState/.test((error as Error).message);
        }
      }, 5000, 'STOP_SENDING on the unidirectional stream');
      expect(client.connection.closed).toBe(false);
      await client.close();
      await stillServing('after hostile streams');
    });

    // quiche enforces stream limits on the opener's side, so a standard peer never exceeds ours. This
    // one does: it learns its 1-RTT secrets from quiche's key log and seals STREAM frames itself.
    it.each([
      ['bidirectional', 16], // our limit is 2 concurrent streams: credit for ids 0, 4, 8 and 12
      ['unidirectional', 14], // credit for 3: ids 2, 6 and 10
    ])(
      'answers a peer that sends a %s stream beyond our limit with STREAM_LIMIT_ERROR; good peers carry on',
      async (_kind, streamId) => {
        const keylog = path.join(tmpdir(), `agentlink-keylog-${process.pid}-${randomBytes(4).toString('hex')}`);
        const client = await rawQuicClient(port, pki.client, {}, keylog);
        try {
          await client.established;
          const keys = clientOneRttKeys(keylog);
          if (keys === undefined) throw new Error('quiche logged no CLIENT_TRAFFIC_SECRET_0');
          const native = client.connection.native;
          let packetNumber = native.stats().sent + 16; // above every number quiche used
          const seal = (frame: Buffer): Buffer =>
            sealShortHeaderPacket(keys, native.destinationId(), packetNumber++, frame);
          // Control: a request we sealed ourselves on a stream within the limit is served.
          native.streamSend(0, new Uint8Array(0), false); // stream 0 exists on our side, nothing sent
          client.sendRaw(seal(streamFrame(0, request(1, 'sealed by hand'))));
          await waitFor(() => client.answers.has(0), 5000, 'the answer to the hand-sealed request');
          expect(text(client.answers.get(0)!)).toContain('sealed by hand');
          client.sendRaw(seal(streamFrame(streamId, request(streamId + 1, 'beyond the limit'))));
          expect(await client.closed).toEqual({ by: 'peer', isApp: false, errorCode: 0x4, reason: '' });
        } finally {
          await client.close();
          rmSync(keylog, { force: true });
        }
        await stillServing(`after a ${_kind} stream beyond the limit`);
      },
    );
  });
});
