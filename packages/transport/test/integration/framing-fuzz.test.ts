import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as tls from 'node:tls';
import { encodeFrame, encodeMethodPayload, FrameType } from '../../src/frame/frame-codec';
import { TcpTlsTransport, ALPN_PROTOCOL } from '../../src/tcp/tcp-tls-transport';
import type { Connection } from '../../src/types';
import { rawQuicClient } from '../support/raw-quic-client';
import { QuicTransport } from '../../src/quic/quic-transport';
import { createTestPki, text, utf8, type TestPki } from '../helpers';

const MAX_FRAME = 1024;
/** What a listener reports when a peer's bytes break the framing or the protocol. */
const FRAME_ERROR_CODES = [
  'ERR_FRAME_TOO_LARGE',
  'ERR_FRAME_MALFORMED',
  'ERR_FRAME_VERSION',
  'ERR_FRAME_TRUNCATED',
  'ERR_PROTOCOL',
];

let seed = 7;
function random(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
const randomInt = (n: number): number => Math.floor(random() * n);

/** One bad frame: random bytes, a truncated frame, an oversize header or a wrong version. */
function badFrame(): Buffer {
  switch (randomInt(4)) {
    case 0:
      return Buffer.from(Array.from({ length: 12 + randomInt(40) }, () => randomInt(256)));
    case 1: {
      const frame = encodeFrame(
        FrameType.Request,
        1 + 2 * randomInt(1000),
        encodeMethodPayload('echo', Buffer.alloc(randomInt(200))),
        MAX_FRAME,
      );
      return frame.subarray(0, randomInt(frame.byteLength - 1) + 1);
    }
    case 2: {
      const header = Buffer.alloc(12);
      header[0] = 1;
      header[1] = FrameType.Request;
      header.writeUInt32BE(1, 4);
      header.writeUInt32BE(MAX_FRAME + 1 + randomInt(1e9), 8);
      return header;
    }
    default: {
      const frame = encodeFrame(FrameType.OneWay, 1, encodeMethodPayload('x', Buffer.alloc(3)), MAX_FRAME);
      frame[0] = 2 + randomInt(250);
      return frame;
    }
  }
}

/** A well-formed but meaningless frame: the server must answer or ignore it, not die. */
function junkButValidFrame(): Buffer {
  const type = [
    FrameType.Response,
    FrameType.Error,
    FrameType.StreamData,
    FrameType.StreamEnd,
    FrameType.Cancel,
    FrameType.Request,
  ][randomInt(6)]!;
  const payload =
    type === FrameType.Request
      ? encodeMethodPayload(`m${randomInt(99)}`, Buffer.alloc(randomInt(50)))
      : Buffer.alloc(randomInt(50));
  return encodeFrame(type, 1 + 2 * randomInt(1e6), payload, MAX_FRAME);
}

describe('framing fuzz against a live TCP server', () => {
  let pki: TestPki;
  let server: TcpTlsTransport;
  let client: TcpTlsTransport;
  let port: number;
  let good: Connection;
  const errorCodes = new Map<string, number>();

  beforeAll(async () => {
    pki = await createTestPki();
    server = new TcpTlsTransport({ credentials: pki.server, maxFrameBytes: MAX_FRAME });
    server.handle('echo', (body) => body);
    server.on('transportError', (e) => errorCodes.set(e.code, (errorCodes.get(e.code) ?? 0) + 1));
    port = (await server.listen({ host: '127.0.0.1', port: 0 })).port;
    client = new TcpTlsTransport({ credentials: pki.client, maxFrameBytes: MAX_FRAME });
    good = await client.dial({ host: '127.0.0.1', port });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  async function attack(frames: Buffer[]): Promise<void> {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      key: pki.client.keyPem,
      cert: pki.client.certPem,
      ca: pki.client.caPem,
      servername: 'localhost',
      ALPNProtocols: [ALPN_PROTOCOL],
    });
    socket.on('data', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    await new Promise<void>((resolve) => {
      socket.on('error', () => undefined);
      socket.once('close', () => resolve());
      socket.end(Buffer.concat(frames));
    });
  }

  it('keeps serving a well-behaved peer through 10,000 random, truncated and oversize frames', async () => {
    let thrown = 0;
    let goodAnswers = 0;
    const connections = 100;
    for (let c = 0; c < connections; c += 1) {
      const frames: Buffer[] = [];
      for (let i = 0; i < 99; i += 1) frames.push(junkButValidFrame());
      frames.push(badFrame());
      thrown += frames.length;
      await Promise.all([
        attack(frames),
        good.request('echo', utf8(`still here ${c}`)).then((answer) => {
          expect(text(answer)).toBe(`still here ${c}`);
          goodAnswers += 1;
        }),
      ]);
    }
    expect(thrown).toBeGreaterThanOrEqual(10_000);
    expect(goodAnswers).toBe(connections);
    expect(good.closed).toBe(false);
    const frameErrors = FRAME_ERROR_CODES.reduce(
      (sum, code) => sum + (errorCodes.get(code) ?? 0),
      0,
    );
    expect(frameErrors).toBeGreaterThanOrEqual(connections * 0.9);
    expect(text(await good.request('echo', utf8('after')))).toBe('after');
  });
});

describe('framing fuzz against a live QUIC server', () => {
  it('closes only the offending connection and keeps serving a well-behaved peer', async () => {
    const pki = await createTestPki();
    const server = new QuicTransport({ credentials: pki.server, maxFrameBytes: MAX_FRAME });
    server.handle('echo', (body) => body);
    const codes: string[] = [];
    server.on('transportError', (e) => void codes.push(e.code));
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const client = new QuicTransport({ credentials: pki.client, maxFrameBytes: MAX_FRAME });
    const good = await client.dial({ host: '127.0.0.1', port });
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => void uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    const isFrameError = (code: string): boolean => FRAME_ERROR_CODES.includes(code);
    try {
      let thrown = 0;
      const attackers = 10;
      let closedByServer = 0;
      let detected = 0;
      for (let c = 0; c < attackers; c += 1) {
        const attacker = await rawQuicClient(port, pki.client);
        await attacker.established;
        const frameErrorsBefore = codes.filter(isFrameError).length;
        // The idle timeout (20 s) is far beyond the deadline: only the server can close it in time.
        const closed = attacker.closed.then(() => true);
        for (let s = 0; s < 20; s += 1) {
          const frames = [junkButValidFrame(), junkButValidFrame(), ...(s === 19 ? [badFrame()] : [])];
          thrown += frames.length;
          try {
            attacker.write(4 * s, Buffer.concat(frames), true);
          } catch {
            // the server already closed the connection
          }
        }
        const deadline = new Promise<false>((resolve) => setTimeout(() => resolve(false), 5000));
        if (await Promise.race([closed, deadline])) closedByServer += 1;
        if (codes.filter(isFrameError).length > frameErrorsBefore) detected += 1;
        await attacker.close();
        expect(text(await good.request('echo', utf8(`alive ${c}`)))).toBe(`alive ${c}`);
      }
      expect(thrown).toBeGreaterThanOrEqual(400);
      // Same bar as over TCP: the offending connection is closed, and at least 90 % are caught by a frame error.
      expect(closedByServer).toBe(attackers);
      expect(detected).toBeGreaterThanOrEqual(attackers * 0.9);
      expect(good.closed).toBe(false);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await client.close();
      await server.close();
    }
  }, 60_000);
});
