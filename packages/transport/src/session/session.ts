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
import { InboundExchanges } from './inbound-exchanges';
import type { FrameLink } from './frame-link';
import { OutboundRequests } from './outbound-requests';
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
  private readonly outbound: OutboundRequests;
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
    this.outbound = new OutboundRequests({
      link,
      events: options.events,
      transport: options.transport,
      peerId: options.peer.agentId,
      defaultTimeoutMs: options.requestTimeoutMs,
      isOpen: () => this.state !== 'closed',
      onSettled: () => this.checkDrained(),
    });
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
    return this.outbound.size + this.inbound.size;
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
    const promise = this.outbound.track(id, method, options);
    // Written at once (no promise per request on TCP); a failure fails the request.
    try {
      this.writeNow(FrameType.Request, id, body, method, 0, prefix)?.catch((error: unknown) => this.outbound.settle(id, 'error', error as Error, false));
    } catch (error) {
      this.outbound.settle(id, 'error', error as Error, false);
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
    const promise = this.outbound.track(id, method, options);
    const credit = new StreamCredit();
    this.outbound.attachCredit(id, credit);
    const pump = async (): Promise<void> => {
      await this.write(FrameType.Request, id, EMPTY, method, FLAG_STREAMING, methodPrefix(method));
      for await (const chunk of chunks) {
        for (let offset = 0; offset < chunk.byteLength; offset += this.options.maxFrameBytes) {
          if (!this.outbound.has(id)) return;
          const piece = chunk.subarray(offset, offset + this.options.maxFrameBytes);
          await credit.take(piece.byteLength);
          await this.write(FrameType.StreamData, id, piece, method);
        }
      }
      if (this.outbound.has(id)) await this.link.send(FrameType.StreamEnd, id, EMPTY);
    };
    pump().catch((error: unknown) => this.outbound.settle(id, 'error', error as Error, true));
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
    this.outbound.failAll(closedError);
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
        const method = this.outbound.methodOf(frame.id);
        if (method === undefined) return; // late answer to a request that timed out
        this.received(method, frame);
        if (frame.type === FrameType.Response) {
          this.outbound.settle(frame.id, 'ok', frame.payload, false);
        } else {
          const { code, message } = decodeErrorPayload(frame.payload);
          this.outbound.settle(frame.id, 'error', new RemoteError(method, code, message), false);
        }
        return;
      }
      case FrameType.StreamData:
      case FrameType.StreamEnd:
        this.inbound.chunk(frame);
        return;
      case FrameType.Credit:
        if (frame.payload.byteLength !== 4) throw new ProtocolViolationError('credit frame must carry 4 bytes');
        this.outbound.grantCredit(frame.id, Buffer.from(frame.payload).readUInt32BE(0));
        return;
      case FrameType.Cancel: {
        this.inbound.cancel(frame.id);
        this.outbound.settle(frame.id, 'error', new ConnectionClosedError('the peer reset the request'), false);
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
