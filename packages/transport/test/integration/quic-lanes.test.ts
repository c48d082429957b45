import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppCode } from '../../src/quic/endpoint/close-info';
import type { EndpointCounters } from '../../src/quic/endpoint/quic-endpoint';
import { encodeFrame, encodeMethodPayload, FLAG_STREAMING, FrameType } from '../../src/frame/frame-codec';
import { QuicTransport } from '../../src/quic/quic-transport';
import type { Connection, QuicTransportOptions } from '../../src/types';
import { createTestPki, text, utf8, waitFor, type TestPki } from '../helpers';
import { failOnUncaughtErrors } from '../support/no-uncaught';
import { rawQuicClient, rawTicket, type RawQuicClient } from '../support/raw-quic-client';

// Lanes (README "Lanes"): a dialer's small single-frame requests share one stream, so quiche,
// which puts one STREAM frame in a packet, packs a turn's requests into one datagram.

const CAPACITY = 3;
/** The close reason: ProtocolViolationError's code. */
const ERR = 'ERR_PROTOCOL';
const laneFrame = encodeFrame(FrameType.Lane, 0, new Uint8Array(0), 1 << 16);
const request = (id: number, method: string, body = '', flags = 0): Buffer =>
  encodeFrame(FrameType.Request, id, encodeMethodPayload(method, utf8(body)), 1 << 16, flags);

describe('QUIC lanes', () => {
  failOnUncaughtErrors();
  let pki: TestPki;
  const listeners = new Map<number, QuicTransport>();
  const dialers: QuicTransport[] = [];
  const held: Array<() => void> = [];
  let aborted = 0;
  let withLanes: number;
  let withoutLanes: number;

  async function listener(options: Partial<QuicTransportOptions>): Promise<number> {
    const quic = new QuicTransport({ credentials: pki.server, ...options });
    quic.handle('echo', (body) => body);
    // Answers once released (or fails once cancelled): keeps an exchange in flight.
    quic.handle('hold', (_body, context) => {
      return new Promise<Uint8Array>((resolve, reject) => {
        held.push(() => resolve(utf8('released')));
        context.signal.addEventListener('abort', () => {
          aborted += 1;
          reject(new Error('cancelled'));
        });
      });
    });
    const { port } = await quic.listen({ host: '127.0.0.1', port: 0 });
    listeners.set(port, quic);
    return port;
  }

  async function dial(port: number, options: Partial<QuicTransportOptions> = {}): Promise<Connection> {
    const dialer = new QuicTransport({ credentials: pki.client, ...options });
    dialers.push(dialer);
    return dialer.dial({ host: '127.0.0.1', port });
  }

  const received = (port: number): number => {
    const quic = listeners.get(port);
    return (quic as unknown as { server: { counters: EndpointCounters } }).server.counters.received;
  };

  /** Datagrams the listener received for `count` concurrent echoes of `size` bytes. */
  async function datagramsFor(connection: Connection, port: number, count: number, size: number): Promise<number> {
    const before = received(port);
    const bodies = Array.from({ length: count }, (_, i) => `${i}`.padEnd(size, 'x'));
    const answers = await Promise.all(bodies.map((body) => connection.request('echo', utf8(body))));
    expect(answers.map(text)).toEqual(bodies);
    return received(port) - before;
  }

  beforeAll(async () => {
    pki = await createTestPki();
    withLanes = await listener({ maxConcurrentStreams: CAPACITY * 10 });
    withoutLanes = await listener({ laneMaxBytes: 0 });
  });

  afterAll(async () => {
    await Promise.all([...dialers, ...listeners.values()].map((t) => t.close()));
  });

  it('packs sixteen concurrent small requests into a few datagrams; larger ones keep a stream each', async () => {
    const connection = await dial(withLanes);
    await connection.request('echo', utf8('warm-up'));
    expect(await datagramsFor(connection, withLanes, 16, 64)).toBeLessThanOrEqual(4);
    // Over laneMaxBytes (1,024): one STREAM frame, so one datagram at least, per request.
    expect(await datagramsFor(connection, withLanes, 16, 2048)).toBeGreaterThanOrEqual(16);
  });

  it.each([
    ['a dialer with laneMaxBytes 0', 'dialer'],
    ['a listener with laneMaxBytes 0 (it offers no lanes, as before lanes existed)', 'listener'],
  ])('gives every exchange its own stream with %s', async (_label, which) => {
    const port = which === 'listener' ? withoutLanes : withLanes;
    const connection = await dial(port, which === 'dialer' ? { laneMaxBytes: 0 } : {});
    await connection.request('echo', utf8('warm-up'));
    expect(await datagramsFor(connection, port, 16, 64)).toBeGreaterThanOrEqual(16);
  });

  it('cancels a timed-out lane request at the listener and keeps the lane for the next ones', async () => {
    const connection = await dial(withLanes);
    const before = aborted;
    await expect(connection.request('hold', utf8('x'), { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'ERR_REQUEST_TIMEOUT',
    });
    await waitFor(() => aborted === before + 1, 3000, 'the handler to see the cancel');
    expect(text(await connection.request('echo', utf8('after')))).toBe('after');
  });

  describe('against a peer that breaks the lane rules', () => {
    let port: number;
    const clients: RawQuicClient[] = [];
    beforeAll(async () => {
      port = await listener({ maxConcurrentStreams: CAPACITY });
    });
    afterAll(() => Promise.all(clients.map((c) => c.close())));

    async function laneClient(to = port): Promise<RawQuicClient> {
      const client = await rawQuicClient(to, pki.client);
      clients.push(client);
      await client.established;
      return client;
    }

    async function expectProtocolClose(client: RawQuicClient): Promise<void> {
      const info = await client.closed;
      expect(info).toMatchObject({ by: 'peer', isApp: true, errorCode: AppCode.ProtocolError, reason: ERR });
      const good = await dial(port);
      expect(text(await good.request('echo', utf8('still serving')))).toBe('still serving');
    }

    it(`answers up to ${CAPACITY} exchanges in flight, counts finished ones out, and closes past that`, async () => {
      const client = await laneClient();
      client.write(0, Buffer.concat([laneFrame, request(1, 'echo', 'a'), request(3, 'echo', 'b')]), false);
      await waitFor(() => text(client.answers.get(0) ?? Buffer.alloc(0)).includes('b'), 3000, 'two answers');
      const holds = [5, 7, 9].map((id) => request(id, 'hold'));
      client.write(0, Buffer.concat(holds), false);
      await waitFor(() => held.length >= CAPACITY, 3000, 'three held exchanges');
      client.write(0, request(11, 'hold'), false);
      await expectProtocolClose(client);
      for (const release of held.splice(0)) release();
    });

    it.each([
      ['a streamed request', Buffer.concat([laneFrame, request(1, 'echo', 'x', FLAG_STREAMING)]), false],
      ['a StreamData frame', Buffer.concat([laneFrame, encodeFrame(FrameType.StreamData, 1, utf8('x'), 64)]), false],
      ['its FIN (the lane would strand its exchanges)', Buffer.concat([laneFrame, request(1, 'echo', 'x')]), true],
    ])('closes the connection of a peer that sends %s on its lane', async (_label, bytes, fin) => {
      const client = await laneClient();
      client.write(0, bytes, fin);
      await expectProtocolClose(client);
    });

    it('closes the connection of a peer that opens a lane in 0-RTT data (it could be replayed)', async () => {
      // Retry off: the listener reads the early data before the handshake completes (after a Retry it may not).
      const early = await listener({ zeroRtt: { idempotentMethods: ['echo'] }, retry: false });
      const ticket = await rawTicket(early, pki.client);
      const client = await rawQuicClient(early, pki.client, { earlyData: true }, undefined, ticket);
      clients.push(client);
      expect(client.connection.native.isInEarlyData()).toBe(true);
      client.write(0, Buffer.concat([laneFrame, request(1, 'echo', 'x')]), false);
      const info = await client.closed;
      expect(info).toMatchObject({ isApp: true, errorCode: AppCode.ProtocolError, reason: ERR });
    });

    it('closes the connection of a peer that opens a lane on a listener that offers none', async () => {
      const client = await laneClient(withoutLanes);
      client.write(0, Buffer.concat([laneFrame, request(1, 'echo', 'x')]), false);
      const info = await client.closed;
      expect(info).toMatchObject({ isApp: true, errorCode: AppCode.ProtocolError, reason: ERR });
    });
  });
});
