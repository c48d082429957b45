import { describe, expect, it } from '@jest/globals';
import { ConnectionClosedError, FrameTooLargeError, PeerUnavailableError, ProtocolViolationError, RemoteError, RequestTimeoutError } from '../../src/errors';
import { TransportEventEmitter } from '../../src/events';
import { encodeFrame, encodeMethodPayload, FrameDecoder, FrameType, type Frame } from '../../src/frame/frame-codec';
import { ChunkQueue } from '../../src/session/chunk-queue';
import type { FrameLink } from '../../src/session/frame-link';
import { Session } from '../../src/session/session';
import { StreamCredit, INITIAL_STREAM_CREDIT } from '../../src/session/stream-credit';
import type { Handler, TransportEvents } from '../../src/types';
import { text, utf8, waitFor } from '../helpers';

/** Two in-memory links wired back to back, through the real encoder and decoder. */
class MemoryLink implements FrameLink {
  onFrame: (frame: Frame) => void = () => undefined;
  onClose: (reason: string, error?: Error) => void = () => undefined;
  other!: MemoryLink;
  closed = false;
  resets: number[] = [];
  private readonly decoder = new FrameDecoder(64);

  async send(type: FrameType, id: number, payload: Uint8Array, flags = 0, prefix?: Uint8Array): Promise<void> {
    if (this.closed) throw new ConnectionClosedError('memory link closed');
    const bytes = encodeFrame(type, id, payload, 64, flags, prefix);
    queueMicrotask(() => this.other.deliver(bytes));
  }

  deliver(bytes: Uint8Array): void {
    if (this.closed) return;
    try {
      for (const frame of this.decoder.push(bytes)) this.onFrame(frame);
    } catch (error) {
      this.onClose('decode failed', error as Error);
    }
  }

  finish(): void {}

  reset(id: number): void {
    this.resets.push(id);
    void this.send(FrameType.Cancel, id, new Uint8Array(0)).catch(() => undefined);
  }

  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // After the frames already in flight, as on a real socket.
    queueMicrotask(() => this.other.onClose(`peer: ${reason}`));
  }
}

/** With the synchronous fast path of TcpFrameLink; `drain` makes every send report backpressure. */
class SyncMemoryLink extends MemoryLink {
  drain: Promise<void> | undefined;

  sendNow(type: FrameType, id: number, payload: Uint8Array, flags = 0, prefix?: Uint8Array): Promise<void> | undefined {
    if (this.closed) throw new ConnectionClosedError('memory link closed');
    const bytes = encodeFrame(type, id, payload, 64, flags, prefix);
    queueMicrotask(() => this.other.deliver(bytes));
    return this.drain;
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function pair(handlers: Record<string, Handler> = {}, drainTimeoutMs = 1000, Link: new () => MemoryLink = MemoryLink) {
  const a = new Link();
  const b = new Link();
  a.other = b;
  b.other = a;
  const events = new TransportEventEmitter();
  const errors: Array<TransportEvents['transportError']> = [];
  events.on('transportError', (e) => void errors.push(e));
  const base = {
    transport: 'tcp' as const,
    remoteAddress: 'memory',
    maxFrameBytes: 64,
    requestTimeoutMs: 1000,
    drainTimeoutMs,
    events,
    onClosed: () => undefined,
  };
  const client = new Session(a, { ...base, direction: 'outbound', peer: { agentId: 'server', subject: '', fingerprint256: '', validTo: new Date() }, sharedHandlers: new Map() });
  const server = new Session(b, { ...base, direction: 'inbound', peer: { agentId: 'client', subject: '', fingerprint256: '', validTo: new Date() }, sharedHandlers: new Map(Object.entries(handlers)) });
  return { a, b, client, server, errors, events };
}

describe('Session over an in-memory link', () => {
  it('completes the hello handshake either way round', async () => {
    const { client, server } = pair();
    const waiting = client.waitForHello();
    await server.sendHello();
    await waiting;
    await expect(client.waitForHello()).resolves.toBeUndefined();
    await client.close({ force: true });
    await expect(client.waitForHello()).resolves.toBeUndefined();
    const other = pair();
    const hello = other.client.waitForHello();
    other.client.destroy('gone');
    await expect(hello).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(other.client.waitForHello()).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('tells a dialer turned away by a closing listener that the peer is unavailable (retryable)', async () => {
    const { client, server } = pair();
    const hello = client.waitForHello();
    void server.close({ drainTimeoutMs: 10 });
    await expect(hello).rejects.toBeInstanceOf(PeerUnavailableError);
  });

  it('eager dialer: a close before the hello fails calls in flight and later ones with the refusal error', async () => {
    const { a, client, errors } = pair();
    const refusal = new PeerUnavailableError('mapped for the test');
    (client as unknown as { options: { mapRefusal: (e: Error) => Error } }).options.mapRefusal = () => refusal;
    const inFlight = client.request('echo', utf8('x'));
    a.onClose('peer refused', new ConnectionClosedError('reset'));
    await expect(inFlight).rejects.toBe(refusal);
    await expect(client.request('echo', utf8('y'))).rejects.toBe(refusal);
    await expect(client.send('note', utf8('y'))).rejects.toBe(refusal);
    await expect(client.waitForHello()).rejects.toBe(refusal);
    await expect(client.accepted).rejects.toBe(refusal);
    expect(errors.map((e) => e.code)).toEqual(['ERR_PEER_UNAVAILABLE']);
  });

  it('eager dialer: a go-away before the hello is reported as the retryable peer-unavailable error', async () => {
    const { client, server } = pair({ echo: (b) => b });
    const inFlight = client.request('echo', utf8('x')).catch((e: unknown) => e);
    await server.close({ force: true });
    const error = await inFlight;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    const other = pair({ hang: () => new Promise(() => undefined) });
    const late = other.client.request('hang', utf8('x')).catch((e: unknown) => e);
    void other.server.close({ drainTimeoutMs: 10 });
    expect(await late).toBeInstanceOf(PeerUnavailableError);
    await expect(other.client.request('hang', utf8('x'))).rejects.toBeInstanceOf(PeerUnavailableError);
    await expect(other.client.accepted).rejects.toBeInstanceOf(PeerUnavailableError);
    await expect(other.server.accepted).resolves.toBeUndefined();
  });

  it('after the hello a close is an ordinary closed connection', async () => {
    const { a, client, server } = pair({ hang: () => new Promise(() => undefined) });
    await server.sendHello();
    await client.waitForHello();
    await expect(client.accepted).resolves.toBeUndefined();
    const inFlight = client.request('hang', utf8('x'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    a.onClose('gone');
    await expect(inFlight).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('tells the caller when the response does not fit in a frame', async () => {
    const { client } = pair({ big: () => new Uint8Array(100) });
    await expect(client.request('big', new Uint8Array(0))).rejects.toMatchObject({ remoteCode: 'ERR_FRAME_TOO_LARGE' });
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
    await expect(client.request('big', new Uint8Array(0))).rejects.toMatchObject({ remoteCode: 'ERR_FRAME_TOO_LARGE' });
    await expect(client.request('x', new Uint8Array(100))).rejects.toBeInstanceOf(FrameTooLargeError);
    expect(completed.map((e) => e.outcome)).toEqual(['ok', 'error', 'error']);
    expect(client.inFlight).toBe(0);
    await client.close({ force: true });
  });

  it('reports a frame sent only once a slow link drained, and fails the request if it cannot', async () => {
    const { a, b, client, server, events } = pair({ echo: (body) => body, hang: () => new Promise(() => undefined) }, 1000, SyncMemoryLink);
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

describe('flow-control helpers', () => {
  it('StreamCredit waits for grants and fails waiters on cancel', async () => {
    const credit = new StreamCredit();
    await credit.take(INITIAL_STREAM_CREDIT);
    let released = false;
    const waiting = credit.take(10).then(() => {
      released = true;
    });
    credit.grant(5);
    await Promise.resolve();
    expect(released).toBe(false);
    credit.grant(5);
    await waiting;
    expect(released).toBe(true);
    const blocked = credit.take(INITIAL_STREAM_CREDIT);
    credit.cancel('done');
    await expect(blocked).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('ChunkQueue yields pushed chunks, reports consumption and propagates failure', async () => {
    const consumed: number[] = [];
    const queue = new ChunkQueue((n) => consumed.push(n));
    queue.push(new Uint8Array(3));
    setTimeout(() => {
      queue.push(new Uint8Array(4));
      queue.end();
      queue.push(new Uint8Array(5));
    }, 1);
    const sizes: number[] = [];
    for await (const chunk of queue) sizes.push(chunk.byteLength);
    expect(sizes).toEqual([3, 4]);
    expect(consumed).toEqual([3, 4]);
    const failing = new ChunkQueue(() => undefined);
    failing.fail(new Error('gone'));
    failing.push(new Uint8Array(1));
    await expect((async () => {
      for await (const _ of failing) void _;
    })()).rejects.toThrow('gone');
    queue.fail(new Error('after end is ignored'));
  });

  it('TransportEventEmitter isolates throwing listeners and forgets removed ones', () => {
    const emitter = new TransportEventEmitter();
    const seen: number[] = [];
    const throwing = (): void => {
      throw new Error('listener bug');
    };
    const counting = (e: { secondsLeft: number }): void => void seen.push(e.secondsLeft);
    emitter.on('certificateExpiry', throwing).on('certificateExpiry', counting);
    emitter.emit('certificateExpiry', { subject: 's', secondsLeft: 1 });
    emitter.off('certificateExpiry', throwing);
    expect(emitter.listenerCount('certificateExpiry')).toBe(1);
    emitter.off('certificateExpiry', counting);
    emitter.emit('certificateExpiry', { subject: 's', secondsLeft: 2 });
    expect(seen).toEqual([1]);
    expect(emitter.listenerCount('fallback')).toBe(0);
  });
});
