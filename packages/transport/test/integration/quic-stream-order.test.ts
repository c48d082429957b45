import { beforeAll, describe, expect, it } from '@jest/globals';
import { networkInterfaces } from 'node:os';
import { QuicTransport } from '../../src/quic/quic-transport';
import { BULK_STREAM_BYTES } from '../../src/quic/stream-priority';
import type { Connection } from '../../src/types';
import { closedAfterEach, createTestPki, type TestPki } from '../helpers';
import { failOnUncaughtErrors } from '../support/no-uncaught';
import { UdpRelay } from '../support/udp-relay';

/** An address of this host on another interface than loopback: the listener sends 1,350-byte datagrams. */
const otherInterface = Object.values(networkInterfaces())
  .flat()
  .find((address) => address?.family === 'IPv4' && !address.internal)?.address;

const DELAY_MS = 40;

/**
 * How quiche schedules our streams (src/quic/stream-priority.ts). A fresh connection's window
 * holds about ten datagrams. More than that, written at once, leaves over several round trips.
 * Sent whole and in order, the first messages are answered a round trip or more before the
 * last. Sent round-robin (quiche's default), every message waits for the last burst.
 */
describe('QUIC stream scheduling through a 40 ms-each-way path', () => {
  let pki: TestPki;
  const open = closedAfterEach();
  failOnUncaughtErrors();

  beforeAll(async () => {
    pki = await createTestPki();
  });

  /** Dials a listener 40 ms away each way; `handled` gets the size of each request as the listener reads it. */
  async function dialThroughDelay(handled: number[] = []): Promise<Connection> {
    if (otherInterface === undefined) throw new Error('this host has no IPv4 address besides loopback');
    const server = new QuicTransport({ credentials: pki.server, retry: false });
    server.handle('echo', (body) => {
      handled.push(body.byteLength);
      return body;
    });
    server.handle('upload', async (_body, ctx) => {
      let bytes = 0;
      for await (const chunk of ctx.chunks ?? []) bytes += chunk.byteLength;
      handled.push(bytes);
      return new Uint8Array(0);
    });
    open.push(server);
    const { port } = await server.listen({ host: otherInterface, port: 0 });
    const relay = await UdpRelay.start(port, otherInterface, DELAY_MS);
    open.push(relay);
    const client = new QuicTransport({ credentials: pki.client, dialMode: 'eager' });
    open.push(client);
    return client.dial({ host: '127.0.0.1', port: relay.port, serverName: 'localhost' });
  }

  async function answeredAfter(connection: Connection, body: Uint8Array, start: number): Promise<number> {
    const answer = await connection.request('echo', body);
    expect(answer.byteLength).toBe(body.byteLength);
    return performance.now() - start;
  }

  it('answers concurrent 4 KiB requests one after another, not all in the last round trip', async () => {
    const connection = await dialThroughDelay();
    const body = new Uint8Array(4096).fill(3); // above the lane's 1 KiB: a stream per request
    const start = performance.now();
    const times = await Promise.all(Array.from({ length: 24 }, () => answeredAfter(connection, body, start)));
    // In order, the first window's requests are answered after about 1.5 round trips and the
    // last after about 5 (measured through 20 ms each way: 57 and 194 ms). Round-robin, every
    // request's last bytes leave in the last bursts: the first answer came after 141 ms, the last after 186.
    expect(Math.min(...times)).toBeLessThan(Math.max(...times) / 2);
  });

  it('does not hold a small request behind a bulk transfer written before it', async () => {
    const handled: number[] = [];
    const connection = await dialThroughDelay(handled);
    // 512 KiB fits the 1 MiB stream window, so quiche holds all of it at once: sent in stream
    // order it would all leave (over several round trips) before the small request.
    const bulkBytes = 8 * BULK_STREAM_BYTES;
    const start = performance.now();
    const bulk = answeredAfter(connection, new Uint8Array(bulkBytes).fill(1), start);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await answeredAfter(connection, new Uint8Array(4096).fill(2), start);
    await bulk;
    expect(handled).toEqual([4096, bulkBytes]);
  });

  it('does not hold a small request behind a stream() upload of small chunks written before it', async () => {
    const handled: number[] = [];
    const connection = await dialThroughDelay(handled);
    // 64 chunks of 8 KiB: no single frame is bulk, the stream turns bulk by what it has carried.
    const chunks = Array.from({ length: 64 }, () => new Uint8Array(8192).fill(4));
    const upload = connection.stream('upload', chunks);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await connection.request('echo', new Uint8Array(4096).fill(2))).byteLength).toBe(4096);
    await upload;
    expect(handled).toEqual([4096, 64 * 8192]);
  });
});
