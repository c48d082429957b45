import { describe, expect, it } from '@jest/globals';
import {
  ConnectionClosedError,
  FrameTooLargeError,
  ProtocolViolationError,
  RemoteError,
  RequestTimeoutError,
} from '../../src/errors';
import { encodeMethodPayload, FrameType } from '../../src/frame/frame-codec';
import type { Handler, TransportEvents } from '../../src/types';
import { text, utf8, waitFor } from '../helpers';
import { deferred, sessionPair as pair, SyncMemoryLink } from '../support/memory-link';

describe('Session exchanges over an in-memory link', () => {
  it('tells the caller when the response does not fit in a frame', async () => {
    const { client } = pair({ big: () => new Uint8Array(100) });
    const tooLarge = { remoteCode: 'ERR_FRAME_TOO_LARGE' };
    await expect(client.request('big', new Uint8Array(0))).rejects.toMatchObject(tooLarge);
    await expect(client.request('x', new Uint8Array(100))).rejects.toBeInstanceOf(FrameTooLargeError);
  });

  it('writes at once on a link with a synchronous send, with the same events and errors', async () => {
    const { client, events } = pair({ echo: (body) => body, big: () => new Uint8Array(100) }, 1000, SyncMemoryLink);
    const sent: Array<TransportEvents['messageSent']> = [];
    const received: Array<TransportEvents['messageReceived']> = [];
    const completed: Array<TransportEvents['requestCompleted']> = [];
    events.on('messageSent', (e) => void sent.push(e)).on('messageReceived', (e) => void received.push(e));
    events.on('requestCompleted', (e) => void completed.push(e));
    expect(text(await client.request('echo', utf8('hi')))).toBe('hi');
    // Request: 12-byte header, method length byte, "echo", body; response: header and body.
    expect(sent.map((e) => [e.method, e.bytes])).toEqual([
      ['echo', 19],
      ['echo', 14],
    ]);
    expect(received.map((e) => e.bytes)).toEqual([19, 14]);
    expect(completed).toMatchObject([{ method: 'echo', outcome: 'ok' }]);
    const tooLarge = { remoteCode: 'ERR_FRAME_TOO_LARGE' };
    await expect(client.request('big', new Uint8Array(0))).rejects.toMatchObject(tooLarge);
    await expect(client.request('x', new Uint8Array(100))).rejects.toBeInstanceOf(FrameTooLargeError);
    expect(completed.map((e) => e.outcome)).toEqual(['ok', 'error', 'error']);
    expect(client.inFlight).toBe(0);
    await client.close({ force: true });
  });

  it('reports a frame sent only once a slow link drained, and fails the request if it cannot', async () => {
    const handlers: Record<string, Handler> = { echo: (body) => body, hang: () => new Promise(() => undefined) };
    const { a, b, client, server, events } = pair(handlers, 1000, SyncMemoryLink);
    const sent: string[] = [];
    events.on('messageSent', (e) => void sent.push(e.method));
    const clientDrain = deferred();
    const serverDrain = deferred();
    (a as SyncMemoryLink).drain = clientDrain.promise;
    (b as SyncMemoryLink).drain = serverDrain.promise;
    expect(text(await client.request('echo', utf8('x')))).toBe('x');
    expect(sent).toEqual([]);
    clientDrain.resolve();
    serverDrain.resolve();
    await waitFor(() => sent.length === 2);
    const failing = deferred();
    (a as SyncMemoryLink).drain = failing.promise;
    const hanging = client.request('hang', utf8('x'));
    failing.reject(new ConnectionClosedError('socket closed while writing'));
    await expect(hanging).rejects.toBeInstanceOf(ConnectionClosedError);
    await server.close({ force: true });
    await client.close({ force: true });
  });

  it('closes the connection when the peer reuses an id of ours', async () => {
    const { a, client, errors } = pair();
    a.onFrame(({ type: FrameType.Request, flags: 0, id: 1, payload: encodeMethodPayload('m', new Uint8Array(0)) }));
    await client.closedPromise;
    expect(errors.map((e) => e.code)).toContain('ERR_PROTOCOL');
    expect(new ProtocolViolationError('x').retryable).toBe(false);
  });

  it('rejects a malformed credit frame and ignores frames for unknown exchanges', async () => {
    const { a, client } = pair();
    a.onFrame({ type: FrameType.Response, flags: 0, id: 99, payload: new Uint8Array(0) });
    a.onFrame({ type: FrameType.StreamData, flags: 0, id: 99, payload: new Uint8Array(1) });
    a.onFrame({ type: FrameType.StreamEnd, flags: 0, id: 99, payload: new Uint8Array(0) });
    a.onFrame({ type: FrameType.Cancel, flags: 0, id: 99, payload: new Uint8Array(0) });
    expect(client.closed).toBe(false);
    a.onFrame({ type: FrameType.Credit, flags: 0, id: 1, payload: new Uint8Array(2) });
    await client.closedPromise;
  });

  it('reports one-way messages without a handler or with a failing handler', async () => {
    const { client, errors } = pair({
      boom: () => {
        throw new Error('one-way failed');
      },
    });
    await client.send('nobody', utf8('x'));
    await client.send('boom', utf8('x'));
    await waitFor(() => errors.length === 2, 2000, 'two errors');
    expect(errors.map((e) => e.code).sort()).toEqual(['ERR_HANDLER', 'ERR_NO_HANDLER']);
  });

  it('refuses new requests once the peer announced it is going away, and still drains the one in flight', async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let echoes = 0;
    const handlers: Record<string, Handler> = {
      slow: async (body) => {
        entered();
        await released;
        return body;
      },
      echo: (body) => {
        echoes += 1;
        return body;
      },
    };
    const { a, client, server } = pair(handlers, 1000);
    await server.sendHello();
    await client.waitForHello();
    const inFlight = client.request('slow', utf8('first'));
    await inHandler;
    // Watch the dialer's link for the listener's GoAway frame (the link stays open: one call drains).
    const deliver = a.onFrame;
    const goAwayArrived = new Promise<void>((resolve) => {
      a.onFrame = (frame) => {
        deliver(frame);
        if (frame.type === FrameType.GoAway) resolve();
      };
    });
    const closing = server.close();
    await goAwayArrived;
    expect(client.closed).toBe(false);
    const late = await client.request('echo', utf8('late')).then(
      () => 'answered',
      (error: unknown) => error,
    );
    expect(late).toBeInstanceOf(ConnectionClosedError);
    expect((late as Error).message).toContain('the peer is closing');
    await expect(client.send('echo', utf8('late one-way'))).rejects.toBeInstanceOf(ConnectionClosedError);
    release();
    expect(text(await inFlight)).toBe('first');
    await closing;
    expect(echoes).toBe(0);
  });

  it('forces close after the drain timeout', async () => {
    const { client } = pair({ never: () => new Promise<Uint8Array>(() => undefined) }, 30);
    const pending = client.request('never', new Uint8Array(0));
    await client.close();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    await client.close();
  });

  it('cancels the sender side of a stream when the receiver answers early', async () => {
    const { client } = pair({ early: () => utf8('enough') });
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) yield new Uint8Array(64);
    }
    expect(text(await client.stream('early', endless()))).toBe('enough');
  });

  it('times out each request at its own deadline through one shared timer', async () => {
    const { a, client } = pair({ hang: () => new Promise(() => undefined), echo: (b) => b });
    const order: string[] = [];
    const slow = client.request('hang', utf8('slow'), { timeoutMs: 400 }).catch((e: unknown) => {
      order.push('slow');
      return e;
    });
    const fast = client.request('hang', utf8('fast'), { timeoutMs: 30 }).catch((e: unknown) => {
      order.push('fast');
      return e;
    });
    await expect(client.request('echo', utf8('ok'), { timeoutMs: 30 })).resolves.toEqual(utf8('ok'));
    expect(await fast).toBeInstanceOf(RequestTimeoutError);
    expect(await slow).toBeInstanceOf(RequestTimeoutError);
    expect(order).toEqual(['fast', 'slow']);
    expect((await slow as RequestTimeoutError).message).toContain('400');
    expect(a.resets.length).toBe(2);
    expect(client.inFlight).toBe(0);
    await client.close({ force: true });
  });

  it('reports a remote error with its code', async () => {
    const { client } = pair({
      typed: () => {
        throw new ConnectionClosedError('typed');
      },
    });
    const error = await client.request('typed', new Uint8Array(0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).remoteCode).toBe('ERR_CONNECTION_CLOSED');
  });
});
