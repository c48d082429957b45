import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeFrame, encodeMethodPayload, FrameDecoder, FrameType } from '../../src/frame/frame-codec';
import { QuicTransport } from '../../src/quic/quic-transport';
import { createTestPki, waitFor, type TestPki } from '../helpers';
import { failOnUncaughtErrors } from '../support/no-uncaught';
import { rawQuicClient, type RawQuicClient } from '../support/raw-quic-client';

// The QUIC frame reader reads headers through a shared buffer and large payloads straight into
// their own (grown as data arrives): frames split anywhere must come out whole and in order.

const MAX_FRAME = 1 << 20;
let pki: TestPki;
let server: QuicTransport;
let port: number;
const codes: string[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  server = new QuicTransport({ credentials: pki.server, maxFrameBytes: MAX_FRAME });
  server.handle('echo', (body) => body);
  server.on('transportError', (e) => void codes.push(e.code));
  port = (await server.listen({ host: '127.0.0.1', port: 0 })).port;
});

afterAll(async () => {
  await server.close();
});

const request = (id: number, body: Uint8Array): Buffer =>
  encodeFrame(FrameType.Request, id, encodeMethodPayload('echo', body), MAX_FRAME);

/** Writes `bytes` on one stream in pieces cut at `cuts`, each piece sent (and flushed) on its own. */
async function writeInPieces(client: RawQuicClient, streamId: number, bytes: Buffer, cuts: number[]): Promise<void> {
  let start = 0;
  for (const end of [...cuts, bytes.byteLength]) {
    // quiche takes what the congestion window and flow control allow: the rest goes in later turns.
    while (start < end) {
      const piece = bytes.subarray(start, end);
      const taken = client.connection.native.streamSend(streamId, piece, end === bytes.byteLength);
      client.connection.flush();
      start += taken ?? 0;
      // A turn between pieces: the server reads each piece as it arrives.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

function answersOn(client: RawQuicClient, streamId: number): { type: FrameType; id: number; payload: Uint8Array }[] {
  return new FrameDecoder(MAX_FRAME + 64).push(client.answers.get(streamId) ?? Buffer.alloc(0));
}

describe('QUIC frames split at any byte', () => {
  failOnUncaughtErrors();

  it('answers a 300 KiB request whose header and body arrive in many small pieces', async () => {
    const client = await rawQuicClient(port, pki.client);
    await client.established;
    const body = Buffer.alloc(300 * 1024);
    for (let i = 0; i < body.byteLength; i += 1) body[i] = i % 251;
    const wire = request(1, body);
    // Cut inside the header (5, 11), right after it (12), then every 7,000 bytes.
    const cuts = [5, 11, 12];
    for (let at = 7000; at < wire.byteLength; at += 7000) cuts.push(at);
    await writeInPieces(client, 0, wire, cuts);
    const expected = 12 + body.byteLength;
    await waitFor(() => (client.answers.get(0)?.byteLength ?? 0) >= expected, 10_000, 'the whole echo');
    const [answer] = answersOn(client, 0);
    expect(answer?.type).toBe(FrameType.Response);
    expect(answer?.id).toBe(1);
    expect(Buffer.from(answer!.payload).equals(body)).toBe(true);
    await client.close();
  }, 30_000);

  it('delivers several frames written in one piece and a header cut across two', async () => {
    const client = await rawQuicClient(port, pki.client);
    await client.established;
    // One stream per exchange: three requests on three streams, all in one flush, the last cut mid-header.
    client.connection.native.streamSend(0, request(1, Buffer.from('one')), true);
    client.connection.native.streamSend(4, request(3, Buffer.from('two')), true);
    const third = request(5, Buffer.from('three'));
    await writeInPieces(client, 8, third, [7]);
    await waitFor(() => [0, 4, 8].every((id) => answersOn(client, id).length === 1), 5000, 'three answers');
    const bodies = [0, 4, 8].map((id) => Buffer.from(answersOn(client, id)[0]!.payload).toString());
    expect(bodies).toEqual(['one', 'two', 'three']);
    await client.close();
  });

  it('closes the connection with ERR_FRAME_TRUNCATED when a stream ends inside a large payload', async () => {
    const client = await rawQuicClient(port, pki.client);
    await client.established;
    const wire = request(1, Buffer.alloc(64 * 1024, 1));
    const before = codes.filter((c) => c === 'ERR_FRAME_TRUNCATED').length;
    await writeInPieces(client, 0, wire.subarray(0, 40 * 1024), [20 * 1024]);
    await client.closed;
    expect(codes.filter((c) => c === 'ERR_FRAME_TRUNCATED').length).toBe(before + 1);
    await client.close();
  });
});
