import { randomUUID } from 'node:crypto';
import { AgentlinkError } from '@agentlink/resilience';
import { ConnectionClosedError, FrameError, ProtocolViolationError, RemoteError } from '../errors';
import { decodeErrorPayload, methodPrefix, FrameType, type Frame } from '../frame/frame-codec';
import type { PeerIdentity } from '../pki/certificate-inspection';
import { certificateRefusalReason } from '../security/peer-verification';
import type { CloseOptions, Connection, Direction, Handler, RequestOptions, TransportKind } from '../types';
import { DrainWaiter } from './drain-waiter';
import { ExchangeIds } from './exchange-ids';
import type { FrameLink } from './frame-link';
import { InboundExchanges } from './inbound-exchanges';
import { ListenerAcceptance } from './listener-acceptance';
import { MeteredFrameWriter } from './metered-frame-writer';
import { OutboundRequests } from './outbound-requests';
import type { SessionOptions } from './session-options';
import { sendStreamedRequest } from './stream-upload';
import { StreamCredit } from './stream-credit';

const EMPTY = new Uint8Array(0);
const CONTROL_ID = 0;

/** Request/response, one-way and streamed exchanges over a FrameLink, with a graceful close. */
export class Session implements Connection {
  readonly id = randomUUID();
  readonly transport: TransportKind;
  readonly direction: Direction;
  readonly peer: PeerIdentity;
  readonly remoteAddress: string;
  readonly closedPromise: Promise<string>;

  private readonly handlers = new Map<string, Handler>();
  private readonly writer: MeteredFrameWriter;
  private readonly acceptance: ListenerAcceptance;
  private readonly outbound: OutboundRequests;
  private readonly inbound: InboundExchanges;
  private readonly drain = new DrainWaiter();
  private readonly ids: ExchangeIds;
  private state: 'open' | 'draining' | 'closed' = 'open';
  private peerGoingAway = false;
  private resolveClosed!: (reason: string) => void;

  constructor(
    private readonly link: FrameLink,
    private readonly options: SessionOptions,
  ) {
    this.transport = options.transport;
    this.direction = options.direction;
    this.peer = options.peer;
    this.remoteAddress = options.remoteAddress;
    this.ids = new ExchangeIds(options.direction === 'outbound' ? 1 : 2);
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.acceptance = new ListenerAcceptance(options);
    this.writer = new MeteredFrameWriter(link, options.events, options.transport, options.peer.agentId);
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
      write: (type, id, payload, method) => this.writer.writeNow(type, id, payload, method),
      received: (method, frame) => this.writer.received(method, frame),
      isOpen: () => this.state !== 'closed',
      onSettled: () => this.checkDrained(),
    });
    link.onFrame = (frame) => this.receive(frame);
    link.onClose = (reason, error) => this.linkClosed(reason, error);
  }

  /** Resolves once the listener accepted this dialer; at once on the listener side. */
  get accepted(): Promise<void> {
    return this.acceptance.accepted;
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
    this.acceptance.dialWaiting = true;
    return this.acceptance.accepted;
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
    const fail = (error: unknown): void => this.outbound.settle(id, 'error', error as Error, false);
    // Written at once (no promise per request on TCP); a failure fails the request.
    try {
      this.writer.writeNow(FrameType.Request, id, body, method, 0, prefix)?.catch(fail);
    } catch (error) {
      fail(error);
    }
    return promise;
  }

  async requestJson<T = unknown>(method: string, value: unknown, options?: RequestOptions): Promise<T> {
    const body = Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
    const response = await this.request(method, body, options);
    return JSON.parse(Buffer.from(response).toString('utf8')) as T;
  }

  async send(method: string, body: Uint8Array): Promise<void> {
    const id = this.allocate();
    try {
      await this.writer.write(FrameType.OneWay, id, body, method, 0, methodPrefix(method));
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
    const upload = {
      id,
      method,
      chunks,
      credit,
      maxFrameBytes: this.options.maxFrameBytes,
      isPending: () => this.outbound.has(id),
    };
    sendStreamedRequest(this.link, this.writer, upload).catch((error: unknown) =>
      this.outbound.settle(id, 'error', error as Error, true),
    );
    return promise;
  }

  async close(options: CloseOptions = {}): Promise<void> {
    if (this.state === 'closed') return;
    if (options.force === true) return this.destroy('closed by local (forced)');
    if (this.state === 'open') {
      this.state = 'draining';
      this.link.send(FrameType.GoAway, CONTROL_ID, EMPTY).catch(() => undefined);
      if (this.inFlight > 0) await this.drain.wait(options.drainTimeoutMs ?? this.options.drainTimeoutMs);
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
    if (this.acceptance.awaitingHello) {
      const refusal = this.acceptance.refuse(reason, error, this.peerGoingAway);
      // A confirmed dial() reports the error itself.
      this.destroy(reason, refusal, !this.acceptance.dialWaiting);
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
      // A refused certificate (a 0-RTT dial's server) is reported as a dial's: by address, with its reason.
      const refused = certificateRefusalReason(error);
      this.options.events.emit('transportError', {
        transport: this.transport,
        peer: refused === undefined ? this.peer.agentId : this.remoteAddress,
        code: error instanceof AgentlinkError ? error.code : 'ERR_CONNECTION_LOST',
        ...(refused === undefined ? {} : { reason: refused }),
      });
    }
    this.outbound.failAll(closedError);
    this.inbound.abortAll(closedError);
    this.handlers.clear();
    this.acceptance.fail(closedError);
    this.drain.done();
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
    if (this.acceptance.refusal !== undefined) throw this.acceptance.refusal;
    if (this.state !== 'open' || this.peerGoingAway) {
      throw new ConnectionClosedError(this.state === 'open' ? 'the peer is closing' : 'close() was called');
    }
    return this.ids.next();
  }

  private receive(frame: Frame): void {
    if (this.state === 'closed') return;
    try {
      this.dispatch(frame);
    } catch (error) {
      const typed =
        error instanceof FrameError || error instanceof ProtocolViolationError
          ? error
          : new ProtocolViolationError(String(error));
      this.destroy(`protocol error: ${typed.code}`, typed);
    }
  }

  private dispatch(frame: Frame): void {
    switch (frame.type) {
      case FrameType.Hello:
        this.acceptance.helloArrived();
        return;
      case FrameType.GoAway:
        this.peerGoingAway = true;
        this.acceptance.goAwayArrived();
        return;
      case FrameType.Request:
      case FrameType.OneWay:
        this.inbound.accept(frame);
        return;
      case FrameType.Response:
      case FrameType.Error:
        this.answer(frame);
        return;
      case FrameType.StreamData:
      case FrameType.StreamEnd:
        this.inbound.chunk(frame);
        return;
      case FrameType.Credit:
        if (frame.payload.byteLength !== 4) throw new ProtocolViolationError('credit frame must carry 4 bytes');
        this.outbound.grantCredit(frame.id, Buffer.from(frame.payload).readUInt32BE(0));
        return;
      case FrameType.Cancel:
        this.inbound.cancel(frame.id);
        this.outbound.settle(frame.id, 'error', new ConnectionClosedError('the peer reset the request'), false);
        return;
      case FrameType.Lane: // the QUIC link consumes lane markers: this one came where there are no lanes
        throw new ProtocolViolationError('lane frame outside a QUIC stream');
    }
  }

  /** A Response or Error frame settles the request it answers. */
  private answer(frame: Frame): void {
    const method = this.outbound.methodOf(frame.id);
    if (method === undefined) return; // late answer to a request that timed out
    this.writer.received(method, frame);
    if (frame.type === FrameType.Response) {
      this.outbound.settle(frame.id, 'ok', frame.payload, false);
    } else {
      const { code, message } = decodeErrorPayload(frame.payload);
      this.outbound.settle(frame.id, 'error', new RemoteError(method, code, message), false);
    }
  }

  private checkDrained(): void {
    if (this.state === 'draining' && this.inFlight === 0) this.drain.done();
  }
}
