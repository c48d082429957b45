import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConnectionClosedError, RemoteError, RequestAbortedError, RequestTimeoutError } from '../../src/errors';
import type { Connection, HandlerContext, ListenAddress, Transport, TransportEvents } from '../../src/types';
import { text, utf8, waitFor } from '../helpers';

export interface ComplianceFixture {
  server: Transport;
  client: Transport;
  address: ListenAddress;
}

/** The behaviour every Transport must show, run against real sockets on 127.0.0.1. */
export function runTransportCompliance(
  name: string,
  hooks: { setup: () => Promise<ComplianceFixture>; teardown: (fixture: ComplianceFixture) => Promise<void> },
): void {
  describe(`${name} transport compliance`, () => {
    let fixture: ComplianceFixture;
    let connection: Connection;
    const inboundSignals: AbortSignal[] = [];
    const oneWay: string[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    let uploadPause: { firstChunk: () => void; resumed: Promise<void> } | undefined;
    let gate: { waiting: Array<{ body: Uint8Array; resolve: (b: Uint8Array) => void }>; size: number } = {
      waiting: [],
      size: 0,
    };

    beforeAll(async () => {
      process.on('uncaughtException', onUncaught);
      process.on('unhandledRejection', onUncaught);
      fixture = await hooks.setup();
      const { server } = fixture;
      server.handle('echo', (body) => body);
      server.handle('whoami', (_body, context) => utf8(context.connection.peer.agentId));
      server.handle('fail', () => {
        throw Object.assign(new Error('handler says no'), { code: 'ERR_NOPE' });
      });
      server.handle('hang', (_body, context: HandlerContext) => {
        inboundSignals.push(context.signal);
        return new Promise<Uint8Array>((resolve) =>
          context.signal.addEventListener('abort', () => resolve(new Uint8Array(0))),
        );
      });
      server.handle('note', (body) => {
        oneWay.push(text(body));
      });
      server.handle('gated', (body) =>
        new Promise<Uint8Array>((resolve) => {
          gate.waiting.push({ body, resolve });
          if (gate.waiting.length === gate.size) {
            // Answer in reverse order of arrival.
            for (const entry of [...gate.waiting].reverse()) entry.resolve(entry.body);
          }
        }),
      );
      server.handle('upload', async (_body, context) => {
        let total = 0;
        for await (const chunk of context.chunks ?? []) total += chunk.byteLength;
        return utf8(String(total));
      });
      server.handle('paused-upload', async (_body, context) => {
        let total = 0;
        for await (const chunk of context.chunks ?? []) {
          total += chunk.byteLength;
          if (uploadPause !== undefined && total === chunk.byteLength) {
            uploadPause.firstChunk();
            await uploadPause.resumed;
          }
        }
        return utf8(String(total));
      });
      connection = await fixture.client.dial({
        host: '127.0.0.1',
        port: fixture.address.port,
        tcpPort: fixture.address.tcpPort,
      });
    });

    afterAll(async () => {
      await hooks.teardown(fixture);
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
      expect(uncaught).toEqual([]);
    });

    it('answers a request and exposes the peer identity from its certificate', async () => {
      expect(text(await connection.request('echo', utf8('hello')))).toBe('hello');
      expect(connection.peer.agentId).toBe('server-agent');
      expect(text(await connection.request('whoami', new Uint8Array(0)))).toBe('client-agent');
      expect(await connection.requestJson('echo', { a: 1 })).toEqual({ a: 1 });
    });

    it('matches 100 concurrent requests answered out of order to their callers', async () => {
      gate = { waiting: [], size: 100 };
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => connection.request('gated', utf8(`request-${i}`)).then(text)),
      );
      expect(results).toEqual(Array.from({ length: 100 }, (_, i) => `request-${i}`));
    });

    it('expires a deadline for that request only and cancels it on the server', async () => {
      const before = inboundSignals.length;
      const hanging = connection.request('hang', new Uint8Array(0), { timeoutMs: 100 });
      const fine = connection.request('echo', utf8('still fine'));
      await expect(hanging).rejects.toBeInstanceOf(RequestTimeoutError);
      expect(text(await fine)).toBe('still fine');
      await waitFor(
        () => inboundSignals.length > before && inboundSignals[inboundSignals.length - 1]!.aborted,
        5000,
        'server-side cancel',
      );
    });

    it('cancels a request through its AbortSignal', async () => {
      const controller = new AbortController();
      const pending = connection.request('hang', new Uint8Array(0), { signal: controller.signal });
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(RequestAbortedError);
      const aborted = new AbortController();
      aborted.abort();
      await expect(connection.request('echo', utf8('x'), { signal: aborted.signal })).rejects.toBeInstanceOf(
        RequestAbortedError,
      );
    });

    it('reports remote failures and missing handlers as RemoteError with the remote code', async () => {
      await expect(connection.request('fail', new Uint8Array(0))).rejects.toMatchObject({
        code: 'ERR_REMOTE',
        remoteCode: 'ERR_HANDLER',
      });
      const missing = await connection.request('nobody-home', new Uint8Array(0)).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(RemoteError);
      expect((missing as RemoteError).remoteCode).toBe('ERR_NO_HANDLER');
    });

    it('delivers one-way messages', async () => {
      await connection.send('note', utf8('one-way'));
      await waitFor(() => oneWay.includes('one-way'), 5000, 'one-way delivery');
    });

    it('streams a payload larger than a frame with backpressure', async () => {
      const chunk = new Uint8Array(256 * 1024).fill(7);
      let produced = 0;
      function* chunks(): Generator<Uint8Array> {
        for (let i = 0; i < 8; i += 1) {
          produced += chunk.byteLength;
          yield chunk;
        }
      }
      const answer = await connection.stream('upload', chunks(), { timeoutMs: 60_000 });
      expect(text(answer)).toBe(String(8 * 256 * 1024));
      expect(produced).toBe(8 * 256 * 1024);
    });

    it('stalls a streamed request while the receiver does not read, and resumes when it does', async () => {
      const chunk = new Uint8Array(64 * 1024).fill(3);
      const total = 2 * 1024 * 1024; // twice the 1 MiB credit window
      let produced = 0;
      function* chunks(): Generator<Uint8Array> {
        while (produced < total) {
          produced += chunk.byteLength;
          yield chunk;
        }
      }
      let firstChunk!: () => void;
      const received = new Promise<void>((resolve) => (firstChunk = resolve));
      let resume!: () => void;
      uploadPause = { firstChunk, resumed: new Promise<void>((resolve) => (resume = resolve)) };
      let settled = false;
      const answer = connection.stream('paused-upload', chunks(), { timeoutMs: 60_000 });
      void answer.then(
        () => (settled = true),
        () => (settled = true),
      );
      try {
        await received;
        // The handler has pulled one chunk and sits still. The sender may fill the credit window
        // (1 MiB plus what the handler consumed) and hold one more chunk, then must wait.
        const bound = 1024 * 1024 + 3 * chunk.byteLength;
        await waitFor(() => produced >= 1024 * 1024, 10_000, 'the sender to fill its credit window');
        // Give the sender every chance to run ahead: 20 round trips on the same connection.
        for (let i = 0; i < 20; i += 1) await connection.request('echo', new Uint8Array(16));
        expect(produced).toBeLessThanOrEqual(bound);
        expect(settled).toBe(false);
      } finally {
        resume();
        uploadPause = undefined;
      }
      expect(text(await answer)).toBe(String(total));
      expect(produced).toBe(total);
    });

    it('counts sent and received messages and bytes separately and exactly', async () => {
      const sent: Array<TransportEvents['messageSent']> = [];
      const received: Array<TransportEvents['messageReceived']> = [];
      const serverReceived: Array<TransportEvents['messageReceived']> = [];
      const onSent = (e: TransportEvents['messageSent']): void => void sent.push(e);
      const onReceived = (e: TransportEvents['messageReceived']): void => void received.push(e);
      const onServerReceived = (e: TransportEvents['messageReceived']): void => void serverReceived.push(e);
      fixture.client.on('messageSent', onSent).on('messageReceived', onReceived);
      fixture.server.on('messageReceived', onServerReceived);
      for (const size of [0, 10, 1000]) await connection.request('echo', new Uint8Array(size));
      fixture.client.off('messageSent', onSent).off('messageReceived', onReceived);
      fixture.server.off('messageReceived', onServerReceived);
      // request = 12-byte header + 1 length byte + 'echo' + body; response = header + body.
      expect(sent.map((e) => e.bytes)).toEqual([17, 27, 1017]);
      expect(received.map((e) => e.bytes)).toEqual([12, 22, 1012]);
      expect(serverReceived.map((e) => e.bytes)).toEqual([17, 27, 1017]);
      expect(new Set(sent.map((e) => e.method))).toEqual(new Set(['echo']));
    });

    it('lets the listener call handlers registered on the dialling side', async () => {
      const inbound = [...fixture.server.connections].find((c) => c.peer.agentId === 'client-agent');
      expect(inbound).toBeDefined();
      connection.handle('reverse', (body) => Buffer.from(body).reverse());
      expect(text(await inbound!.request('reverse', utf8('abc')))).toBe('cba');
    });

    it('drains an in-flight request on close and then refuses new ones', async () => {
      const second = await fixture.client.dial({
        host: '127.0.0.1',
        port: fixture.address.port,
        tcpPort: fixture.address.tcpPort,
      });
      gate = { waiting: [], size: 2 };
      const first = second.request('gated', utf8('a'));
      const other = second.request('gated', utf8('b'));
      await waitFor(() => gate.waiting.length === 2, 5000, 'requests to arrive');
      const closing = second.close({ drainTimeoutMs: 5000 });
      expect(text(await first)).toBe('a');
      expect(text(await other)).toBe('b');
      await closing;
      expect(second.closed).toBe(true);
      await expect(second.request('echo', utf8('late'))).rejects.toBeInstanceOf(ConnectionClosedError);
    });

    it('fails in-flight requests at once on force close', async () => {
      const third = await fixture.client.dial({
        host: '127.0.0.1',
        port: fixture.address.port,
        tcpPort: fixture.address.tcpPort,
      });
      const pending = third.request('hang', new Uint8Array(0));
      await third.close({ force: true });
      await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    });
  });
}
