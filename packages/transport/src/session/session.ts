import { randomUUID } from 'node:crypto';
import {
  AgentlinkError,
} from '@agentlink/resilience';
import {
  ConnectionClosedError,
  FrameError,
  PeerUnavailableError,
  ProtocolViolationError,
  RemoteError,
  RequestAbortedError,
  RequestTimeoutError,
} from '../errors';
import type { TransportEventEmitter } from '../events';
import {
  decodeErrorPayload,
  methodPrefix,
  FLAG_STREAMING,
  FRAME_HEADER_BYTES,
  FrameType,
  type Frame,
} from '../frame/frame-codec';
import type { PeerIdentity } from '../pki/certificate-inspection';
import type { CloseOptions, Connection, Direction, Handler, RequestOptions, TransportKind } from '../types';
import { DeadlineTimer } from './deadline-timer';
import { InboundExchanges } from './inbound-exchanges';
import type { FrameLink } from './frame-link';
import { StreamCredit } from './stream-credit';

const EMPTY = new Uint8Array(0);
const CONTROL_ID = 0;

export interface SessionOptions {
  readonly transport: TransportKind;
  readonly direction: Direction;
  readonly peer: PeerIdentity;
  readonly remoteAddress: string;
  readonly maxFrameBytes: number;
  readonly requestTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly events: TransportEventEmitter;
  /** Handlers registered on the transport; the connection's own handlers take precedence. */
  readonly sharedHandlers: ReadonlyMap<string, Handler>;
  /** Called once after the session closed, so the transport can forget it. */
  readonly onClosed: (session: Session) => void;
  /**
   * Dialer side: the typed error for a link that closed before the listener's hello, i.e. the
   * listener's verdict on our certificate (default: the link's own error).
   */
  readonly mapRefusal?: (error: Error) => AgentlinkError;
}

interface PendingRequest {
  readonly method: string;
  readonly startedAt: number;
  /** performance.now() timestamp after which the request times out. */
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly resolve: (body: Uint8Array) => void;
  readonly reject: (error: Error) => void;
  /** Detaches the caller's abort signal, if any. */
  readonly cleanup: (() => void) | undefined;
  credit?: StreamCredit;
}

/**
 * Request/response, one-way and streamed exchanges over a FrameLink. Dialers use odd exchange
 * ids and listeners even ones, so both sides can start exchanges without colliding.
 */
export class Session implements Connection {
  readonly id = randomUUID();
  readonly transport: TransportKind;
  readonly direction: Direction;
  readonly peer: PeerIdentity;
  readonly remoteAddress: string;
  readonly closedPromise: Promise<string>;
  readonly accepted: Promise<void>;

  private readonly handlers = new Map<string, Handler>();
  private readonly pending = new Map<number, PendingRequest>();
  private readonly deadlines = new DeadlineTimer((now) => this.expire(now));
  private readonly inbound: InboundExchanges;
  private nextId: number;
  private state: 'open' | 'draining' | 'closed' = 'open';
  private peerGoingAway = false;
  private resolveClosed!: (reason: string) => void;
  private drainWaiter: (() => void) | undefined;
  private settleAccepted: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private helloReceived = false;
  /** Set when the link closed before the listener accepted us: every later call fails with it. */
  private refusal: AgentlinkError | undefined;
  /** A confirmed dial() waits for the hello and reports a refusal itself. */
  private dialWaiting = false;

  constructor(
    private readonly link: FrameLink,
    private readonly options: SessionOptions,
  ) {
    this.transport = options.transport;
    this.direction = options.direction;
    this.peer = options.peer;
    this.remoteAddress = options.remoteAddress;
    this.nextId = options.direction === 'outbound' ? 1 : 2;
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.accepted =
      options.direction === 'inbound'
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            this.settleAccepted = { resolve, reject };
          });
    // Nobody has to await it: a refusal also fails the calls, so it must not be "unhandled".
    this.accepted.catch(() => undefined);
    this.inbound = new InboundExchanges({
      link,
      connection: this,
      events: options.events,
      maxFrameBytes: options.maxFrameBytes,
      ownParity: options.direction === 'outbound' ? 1 : 0,
      findHandler: (method) => this.handlers.get(method) ?? options.sharedHandlers.get(method),
      write: (type, id, payload, method) => this.writeNow(type, id, payload, method),
      received: (method, frame) => this.received(method, frame),
      isOpen: () => this.state !== 'closed',
      onSettled: () => this.checkDrained(),
    });
    link.onFrame = (frame) => this.receive(frame);
    link.onClose = (reason, error) => this.linkClosed(reason, error);
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Number of requests and handlers in flight (for drain and leak checks). */
  get inFlight(): number {
    return this.pending.size + this.inbound.size;
  }

  /** Listener side: tell the dialer that its certificate was accepted. */
  async sendHello(): Promise<void> {
    await this.link.send(FrameType.Hello, CONTROL_ID, EMPTY);
  }

  /** Dialer side: resolves when the listener accepted us, rejects if the link closes first. */
  waitForHello(): Promise<void> {
    this.dialWaiting = true;
    return this.accepted;
  }

  handle(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  request(method: string, body: Uint8Array, options?: RequestOptions): Promise<Uint8Array> {
    let id: number;
    let prefix: Uint8Array;
    try {
      id = this.allocate();
      prefix = methodPrefix(method);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const promise = this.track(id, method, options);
    // Written at once (no promise per request on TCP); a failure fails the request.
    try {
      this.writeNow(FrameType.Request, id, body, method, 0, prefix)?.catch((error: unknown) => this.settle(id, 'error', error as Error, false));
    } catch (error) {
      this.settle(id, 'error', error as Error, false);
    }
    return promise;
  }

  async requestJson<T = unknown>(method: string, value: unknown, options?: RequestOptions): Promise<T> {
    const response = await this.request(method, Buffer.from(JSON.stringify(value) ?? 'null', 'utf8'), options);
    return JSON.parse(Buffer.from(response).toString('utf8')) as T;
  }

  async send(method: string, body: Uint8Array): Promise<void> {
    const id = this.allocate();
    try {
      await this.write(FrameType.OneWay, id, body, method, 0, methodPrefix(method));
    } finally {
      this.link.finish(id);
    }
  }

  async stream(
    method: string,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: RequestOptions = {},
  ): Promise<Uint8Array> {
    const id = this.allocate();
    const promise = this.track(id, method, options);
    const credit = new StreamCredit();
    (this.pending.get(id) as PendingRequest).credit = credit;
    const pump = async (): Promise<void> => {
      await this.write(FrameType.Request, id, EMPTY, method, FLAG_STREAMING, methodPrefix(method));
      for await (const chunk of chunks) {
        for (let offset = 0; offset < chunk.byteLength; offset += this.options.maxFrameBytes) {
          if (!this.pending.has(id)) return;
          const piece = chunk.subarray(offset, offset + this.options.maxFrameBytes);
          await credit.take(piece.byteLength);
          await this.write(FrameType.StreamData, id, piece, method);
        }
      }
      if (this.pending.has(id)) await this.link.send(FrameType.StreamEnd, id, EMPTY);
    };
    pump().catch((error: unknown) => this.settle(id, 'error', error as Error, true));
    return promise;
  }

  async close(options: CloseOptions = {}): Promise<void> {
    if (this.state === 'closed') return;
    if (options.force === true) {
      this.destroy('closed by local (forced)');
      return;
    }
    if (this.state === 'open') {
      this.state = 'draining';
      this.link.send(FrameType.GoAway, CONTROL_ID, EMPTY).catch(() => undefined);
      const timeoutMs = options.drainTimeoutMs ?? this.options.drainTimeoutMs;
      if (this.inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          this.drainWaiter = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      this.destroy('closed by local');
    }
    await this.closedPromise;
  }

  /**
   * The link is gone (peer, network or TLS verdict), not closed by us. On a dialer that has not
   * had the listener's hello yet this is the listener refusing us (or going away): calls made
   * in the meantime (eager dial mode) fail with the same typed error as a confirmed dial().
   */
  linkClosed(reason: string, error?: Error): void {
    if (this.state === 'closed') return;
    if (this.direction === 'outbound' && !this.helloReceived) {
      const cause = error ?? new ConnectionClosedError(`${reason} before the listener accepted this agent`);
      this.refusal = this.peerGoingAway
        ? new PeerUnavailableError(this.remoteAddress)
        : (this.options.mapRefusal?.(cause) ?? (cause instanceof AgentlinkError ? cause : new ConnectionClosedError(reason)));
      // A confirmed dial() reports the error itself.
      this.destroy(reason, this.refusal, !this.dialWaiting);
      return;
    }
    this.destroy(reason, error);
  }

  /** Closes at once: in-flight requests fail with ConnectionClosedError (or `error`). */
  destroy(reason: string, error?: Error, report = true): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const closedError = error instanceof AgentlinkError ? error : new ConnectionClosedError(reason);
    if (error !== undefined && report) {
      this.options.events.emit('transportError', {
        transport: this.transport,
        peer: this.peer.agentId,
        code: error instanceof AgentlinkError ? error.code : 'ERR_CONNECTION_LOST',
      });
    }
    for (const id of [...this.pending.keys()]) this.settle(id, 'error', closedError, false);
    this.deadlines.stop();
    this.inbound.abortAll(closedError);
    this.handlers.clear();
    this.settleAccepted?.reject(closedError);
    this.settleAccepted = undefined;
    this.drainWaiter?.();
    this.drainWaiter = undefined;
    void this.link.close(reason).finally(() => {
      this.options.events.emit('connectionClosed', {
        transport: this.transport,
        peer: this.peer.agentId,
        direction: this.direction,
        reason,
      });
      this.options.onClosed(this);
      this.resolveClosed(reason);
    });
  }

  private allocate(): number {
    if (this.refusal !== undefined) throw this.refusal;
    if (this.state !== 'open' || this.peerGoingAway) {
      throw new ConnectionClosedError(this.state === 'open' ? 'the peer is closing' : 'close() was called');
    }
    const id = this.nextId;
    this.nextId = this.nextId + 2 > 0xffffffff ? (this.direction === 'outbound' ? 1 : 2) : this.nextId + 2;
    return id;
  }

  private track(id: number, method: string, options: RequestOptions | undefined): Promise<Uint8Array> {
    const timeoutMs = options?.timeoutMs ?? this.options.requestTimeoutMs;
    const signal = options?.signal;
    return new Promise<Uint8Array>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new RequestAbortedError(method));
        return;
      }
      let cleanup: (() => void) | undefined;
      if (signal !== undefined) {
        const onAbort = (): void => this.settle(id, 'error', new RequestAbortedError(method), true);
        signal.addEventListener('abort', onAbort, { once: true });
        cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      const startedAt = performance.now();
      const deadline = startedAt + timeoutMs;
      this.pending.set(id, { method, startedAt, deadline, timeoutMs, resolve, reject, cleanup });
      this.deadlines.schedule(deadline);
    });
  }

  /** Times out every request due by `now`; returns the earliest deadline still pending. */
  private expire(now: number): number {
    let next = Infinity;
    for (const [id, pending] of this.pending) {
      if (pending.deadline <= now) this.settle(id, 'timeout', new RequestTimeoutError(pending.method, pending.timeoutMs), true);
      else if (pending.deadline < next) next = pending.deadline;
    }
    return next;
  }

  /** Completes an outbound request exactly once. */
  private settle(id: number, outcome: 'ok' | 'error' | 'timeout', result: Error | Uint8Array, cancelRemote: boolean): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    pending.cleanup?.();
    pending.credit?.cancel('request finished');
    if (cancelRemote && this.state !== 'closed') this.link.reset(id);
    else this.link.finish(id);
    const { events } = this.options;
    if (events.has('requestCompleted')) {
      events.emit('requestCompleted', {
        transport: this.transport,
        peer: this.peer.agentId,
        method: pending.method,
        latencyMs: performance.now() - pending.startedAt,
        outcome,
      });
    }
    if (result instanceof Error) pending.reject(result);
    else pending.resolve(result);
    this.checkDrained();
  }

  private write(type: FrameType, id: number, payload: Uint8Array, method: string, flags = 0, prefix?: Uint8Array): Promise<void> {
    return this.link.send(type, id, payload, flags, prefix).then(() => this.sent(method, payload, prefix));
  }

  /**
   * Like write(), synchronously where the link can (TCP): undefined once the link took the frame,
   * or a promise that resolves when it drained; throws instead of rejecting.
   */
  private writeNow(type: FrameType, id: number, payload: Uint8Array, method: string, flags = 0, prefix?: Uint8Array): Promise<void> | undefined {
    if (this.link.sendNow === undefined) return this.write(type, id, payload, method, flags, prefix);
    const drained = this.link.sendNow(type, id, payload, flags, prefix);
    if (drained === undefined) {
      this.sent(method, payload, prefix);
      return undefined;
    }
    return drained.then(() => this.sent(method, payload, prefix));
  }

  private sent(method: string, payload: Uint8Array, prefix: Uint8Array | undefined): void {
    const { events } = this.options;
    if (!events.has('messageSent')) return;
    const bytes = FRAME_HEADER_BYTES + (prefix?.byteLength ?? 0) + payload.byteLength;
    events.emit('messageSent', { transport: this.transport, peer: this.peer.agentId, method, bytes });
  }

  private received(method: string, frame: Frame): void {
    if (!this.options.events.has('messageReceived')) return;
    this.options.events.emit('messageReceived', {
      transport: this.transport,
      peer: this.peer.agentId,
      method,
      bytes: FRAME_HEADER_BYTES + frame.payload.byteLength,
    });
  }

  private receive(frame: Frame): void {
    if (this.state === 'closed') return;
    try {
      this.dispatch(frame);
    } catch (error) {
      const typed = error instanceof FrameError || error instanceof ProtocolViolationError ? error : new ProtocolViolationError(String(error));
      this.destroy(`protocol error: ${typed.code}`, typed);
    }
  }

  private dispatch(frame: Frame): void {
    switch (frame.type) {
      case FrameType.Hello:
        this.helloReceived = true;
        this.settleAccepted?.resolve();
        this.settleAccepted = undefined;
        return;
      case FrameType.GoAway:
        this.peerGoingAway = true;
        if (!this.helloReceived && this.settleAccepted !== undefined) {
          // Turned away before being accepted: the listener is shutting down (retryable).
          this.refusal = new PeerUnavailableError(this.remoteAddress);
          this.settleAccepted.reject(this.refusal);
          this.settleAccepted = undefined;
        }
        return;
      case FrameType.Request:
      case FrameType.OneWay:
        this.inbound.accept(frame);
        return;
      case FrameType.Response:
      case FrameType.Error: {
        const pending = this.pending.get(frame.id);
        if (pending === undefined) return; // late answer to a request that timed out
        this.received(pending.method, frame);
        if (frame.type === FrameType.Response) {
          this.settle(frame.id, 'ok', frame.payload, false);
        } else {
          const { code, message } = decodeErrorPayload(frame.payload);
          this.settle(frame.id, 'error', new RemoteError(pending.method, code, message), false);
        }
        return;
      }
      case FrameType.StreamData:
      case FrameType.StreamEnd:
        this.inbound.chunk(frame);
        return;
      case FrameType.Credit:
        if (frame.payload.byteLength !== 4) throw new ProtocolViolationError('credit frame must carry 4 bytes');
        this.pending.get(frame.id)?.credit?.grant(Buffer.from(frame.payload).readUInt32BE(0));
        return;
      case FrameType.Cancel: {
        this.inbound.cancel(frame.id);
        const pending = this.pending.get(frame.id);
        if (pending !== undefined) this.settle(frame.id, 'error', new ConnectionClosedError('the peer reset the request'), false);
        return;
      }
    }
  }

  private checkDrained(): void {
    if (this.state === 'draining' && this.inFlight === 0) {
      const waiter = this.drainWaiter;
      this.drainWaiter = undefined;
      waiter?.();
    }
  }
}
