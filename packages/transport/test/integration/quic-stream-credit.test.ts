import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { QuicTransport } from '../../src/quic/quic-transport';
import type { Connection } from '../../src/types';
import { createTestPki, type TestPki } from '../helpers';

// Regression: @matrixai/quic's newStream() marked a stream id as used before quiche refused it
// for lack of stream credit (ErrorQUICStreamLimit); our retry then reused the id, hit the
// library's "We should never repeat streamIds" assertion, and every later request on the
// connection failed with ERR_CONNECT_FAILED. Our endpoint opens a stream id only once quiche took it.

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

const open: QuicTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function pair(serverStreams?: number): Promise<Connection> {
  const server = new QuicTransport({
    credentials: pki.server,
    ...(serverStreams === undefined ? {} : { maxConcurrentStreams: serverStreams }),
  });
  open.push(server);
  server.handle('echo', (body) => body);
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const client = new QuicTransport({ credentials: pki.client });
  open.push(client);
  return client.dial({ host: '127.0.0.1', port });
}

/** `total` echo requests of `payload`, `concurrency` at a time; returns failure codes. */
async function load(
  connection: Connection,
  concurrency: number,
  total: number,
  payload: Uint8Array,
): Promise<string[]> {
  const failures: string[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < total) {
        started += 1;
        try {
          const answer = await connection.request('echo', payload);
          if (!Buffer.from(answer).equals(Buffer.from(payload))) failures.push('bad echo');
        } catch (error) {
          failures.push((error as { code?: string }).code ?? String(error));
        }
      }
    }),
  );
  return failures;
}

describe('QUIC stream credit', () => {
  it.each([1, 4])(
    'keeps the connection usable when the peer (maxConcurrentStreams %i) grants fewer streams than we want to open',
    async (limit) => {
      // The server grants 2x its limit in stream credit, the client wants 16: opening a stream hits
      // quiche's StreamLimit on almost every request and must wait with the same, unused id.
      const connection = await pair(limit);
      const payload = new Uint8Array(4096).fill(7);
      expect(await load(connection, 16, 200, payload)).toEqual([]);
      expect(connection.closed).toBe(false);
      expect(Buffer.from(await connection.request('echo', payload)).equals(Buffer.from(payload))).toBe(true);
    },
    60_000,
  );

  it('serves 16 concurrent 4 KiB requests x 300 on one connection without a failure', async () => {
    const connection = await pair();
    const payload = new Uint8Array(4096).fill(5);
    expect(await load(connection, 16, 300, payload)).toEqual([]);
    expect(connection.closed).toBe(false);
  }, 60_000);
});
