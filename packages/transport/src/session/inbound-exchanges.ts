import { AgentlinkError } from '@agentlink/resilience';
import { ConnectionClosedError, FrameError, ProtocolViolationError } from '../errors';
import type { TransportEventEmitter } from '../events';
import { encodeErrorPayload, FLAG_STREAMING, FrameType, MethodNameReader, type Frame } from '../frame/frame-codec';
import type { Connection, Handler, HandlerContext } from '../types';
import { ChunkQueue } from './chunk-queue';
import type { FrameLink } from './frame-link';

const EMPTY = new Uint8Array(0);

interface InboundExchange {
  readonly method: string;
  readonly oneWay: boolean;
  readonly chunks?: ChunkQueue;
  controller?: AbortController;
  abortReason?: Error;
}

function signalOf(exchange: InboundExchange): AbortSignal {
  if (exchange.controller === undefined) {
    exchange.controller = new AbortController();
    if (exchange.abortReason !== undefined) exchange.controller.abort(exchange.abortReason);
  }
  return exchange.controller.signal;
}

function abortExchange(exchange: InboundExchange, reason: Error): void {
  exchange.abortReason = reason;
  exchange.controller?.abort(reason);
  exchange.chunks?.fail(reason);
}

/** What a handler sees. Most handlers never look at the signal: the AbortController is made on demand. */
class ExchangeContext implements HandlerContext {
  constructor(
    readonly method: string,
    readonly connection: Connection,
    readonly chunks: ChunkQueue | undefined,
    private readonly exchange: InboundExchange,
  ) {}

  get signal(): AbortSignal {
    return signalOf(this.exchange);
  }
}

/** What the inbound side needs from its session. */
export interface InboundHost {
  readonly link: FrameLink;
  readonly connection: Connection;
  readonly events: TransportEventEmitter;
  readonly maxFrameBytes: number;
  /** Dialers own odd ids, listeners even ones; the peer must use the other parity. */
  readonly ownParity: 0 | 1;
  readonly findHandler: (method: string) => Handler | undefined;
  /** Writes a frame at once: undefined when accepted, else a promise for the drain; throws on failure. */
  readonly write: (type: FrameType, id: number, payload: Uint8Array, method: string) => Promise<void> | undefined;
  readonly received: (method: string, frame: Frame) => void;
  readonly isOpen: () => boolean;
  /** Called whenever an exchange ends, so a draining session can finish. */
  readonly onSettled: () => void;
}

/** Runs handlers for the requests, one-way messages and streams the peer starts. */
export class InboundExchanges {
  private readonly exchanges = new Map<number, InboundExchange>();
  private readonly methodNames = new MethodNameReader();

  constructor(private readonly host: InboundHost) {}

  get size(): number {
    return this.exchanges.size;
  }

  /** A Request or OneWay frame: look up the handler and run it. */
  accept(frame: Frame): void {
    const { host } = this;
    if (frame.id === 0 || frame.id % 2 === host.ownParity || this.exchanges.has(frame.id)) {
      throw new ProtocolViolationError(`exchange id ${frame.id} is not a fresh id of the peer`);
    }
    const payload = frame.payload;
    const method = this.methodNames.read(payload);
    const body = payload.subarray(1 + (payload[0] as number));
    host.received(method, frame);
    const handler = host.findHandler(method);
    const oneWay = frame.type === FrameType.OneWay;
    const id = frame.id;
    if (handler === undefined) {
      if (oneWay) this.reportOneWayFailure(id, 'ERR_NO_HANDLER');
      else this.answer(id, method, FrameType.Error, this.errorPayload('ERR_NO_HANDLER', `no handler for "${method}"`));
      return;
    }
    const chunks =
      (frame.flags & FLAG_STREAMING) !== 0 ? new ChunkQueue((bytes) => this.grantCredit(id, bytes)) : undefined;
    const exchange: InboundExchange = { method, oneWay, chunks };
    this.exchanges.set(id, exchange);
    let result: unknown;
    try {
      result = handler(body, new ExchangeContext(method, host.connection, chunks, exchange));
    } catch (error) {
      this.fail(id, exchange, error);
      this.settled(id, exchange);
      return;
    }
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      (result as Promise<unknown>).then(
        (value) => {
          this.succeed(id, exchange, value);
          this.settled(id, exchange);
        },
        (error: unknown) => {
          this.fail(id, exchange, error);
          this.settled(id, exchange);
        },
      );
    } else {
      this.succeed(id, exchange, result);
      this.settled(id, exchange);
    }
  }

  /** A StreamData or StreamEnd frame for a streamed request. */
  chunk(frame: Frame): void {
    const exchange = this.exchanges.get(frame.id);
    if (exchange?.chunks === undefined) return;
    if (frame.type === FrameType.StreamEnd) {
      exchange.chunks.end();
      return;
    }
    this.host.received(exchange.method, frame);
    exchange.chunks.push(frame.payload);
  }

  /** The caller cancelled exchange `id`: abort its handler. */
  cancel(id: number): void {
    const exchange = this.exchanges.get(id);
    if (exchange === undefined) return;
    this.exchanges.delete(id);
    abortExchange(exchange, new ConnectionClosedError('the caller cancelled the request'));
    this.host.link.finish(id);
    this.host.onSettled();
  }

  /** The connection is gone: abort every running handler. */
  abortAll(error: Error): void {
    for (const exchange of this.exchanges.values()) abortExchange(exchange, error);
    this.exchanges.clear();
  }

  private isCurrent(id: number, exchange: InboundExchange): boolean {
    return this.host.isOpen() && this.exchanges.get(id) === exchange;
  }

  private succeed(id: number, exchange: InboundExchange, result: unknown): void {
    if (!this.isCurrent(id, exchange)) return;
    if (exchange.oneWay) this.host.link.finish(id);
    else this.answer(id, exchange.method, FrameType.Response, result instanceof Uint8Array ? result : EMPTY);
  }

  private fail(id: number, exchange: InboundExchange, error: unknown): void {
    if (!this.isCurrent(id, exchange)) return;
    const code = error instanceof AgentlinkError ? error.code : 'ERR_HANDLER';
    if (exchange.oneWay) {
      this.reportOneWayFailure(id, code);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.answer(id, exchange.method, FrameType.Error, this.errorPayload(code, message));
  }

  private settled(id: number, exchange: InboundExchange): void {
    if (this.exchanges.get(id) === exchange) this.exchanges.delete(id);
    this.host.onSettled();
  }

  private reportOneWayFailure(id: number, code: string): void {
    this.host.events.emit('transportError', {
      transport: this.host.connection.transport,
      peer: this.host.connection.peer.agentId,
      code,
    });
    this.host.link.finish(id);
  }

  /** Writes the answer and finishes the exchange once the link took it. */
  private answer(id: number, method: string, type: FrameType, payload: Uint8Array): void {
    let drained: Promise<void> | undefined;
    try {
      drained = this.host.write(type, id, payload, method);
    } catch (error) {
      this.answerFailed(id, method, type, error);
      return;
    }
    if (drained === undefined) this.host.link.finish(id);
    else drained.then(() => this.host.link.finish(id), (error: unknown) => this.answerFailed(id, method, type, error));
  }

  private answerFailed(id: number, method: string, type: FrameType, error: unknown): void {
    // The answer did not fit in a frame: tell the caller instead of leaving it waiting.
    if (error instanceof FrameError && type === FrameType.Response) {
      this.answer(id, method, FrameType.Error, this.errorPayload(error.code, error.message));
    } else {
      this.host.link.finish(id);
    }
  }

  /** An Error frame payload with a sane code and a message cut so the frame always fits. */
  private errorPayload(rawCode: string, message: string): Uint8Array {
    const code = /^[A-Z0-9_]{1,64}$/.test(rawCode) ? rawCode : 'ERR_HANDLER';
    const room = Math.max(0, this.host.maxFrameBytes - 1 - code.length);
    const bytes = Buffer.from(message, 'utf8');
    return encodeErrorPayload(
      code,
      bytes.byteLength <= room ? message : bytes.subarray(0, Math.max(0, room - 3)).toString('utf8'),
    );
  }

  private grantCredit(id: number, bytes: number): void {
    if (!this.host.isOpen() || !this.exchanges.has(id)) return;
    const payload = Buffer.allocUnsafe(4);
    payload.writeUInt32BE(bytes, 0);
    this.host.link.send(FrameType.Credit, id, payload).catch(() => undefined);
  }
}
