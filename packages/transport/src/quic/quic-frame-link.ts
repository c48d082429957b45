import { errors as quicErrors, events as quicEvents, type QUICConnection, type QUICStream } from '@matrixai/quic';
import { ConnectionClosedError, FrameError, FrameMalformedError, ProtocolViolationError } from '../errors';
import { FLAG_STREAMING, FrameDecoder, FrameType, encodeFrame, type Frame } from '../frame/frame-codec';
import type { FrameLink } from '../session/frame-link';
import { isGracefulQuicClose, mapQuicError } from './quic-error-mapping';
import { StreamSlots } from './stream-slots';

const EMPTY = new Uint8Array(0);
const CONTROL_ID = 0;
const STREAM_LIMIT_RETRY_MS = 5;

interface ExchangeStream {
  readonly stream: QUICStream;
  readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Our half is already closed: a single-frame request went out with its FIN. */
  halfClosed: boolean;
}

/**
 * One QUIC stream per exchange, so a slow or lost message only delays its own exchange.
 * Control frames (id 0) each travel on a short-lived stream of their own.
 */
export class QuicFrameLink implements FrameLink {
  onFrame: (frame: Frame) => void = () => undefined;
  onClose: (reason: string, error?: Error) => void = () => undefined;

  private readonly exchanges = new Map<number, ExchangeStream>();
  private readonly slots: StreamSlots;
  private closing = false;
  private finished = false;
  private closeReason = 'peer closed the connection';
  private closeError: Error | undefined;
  private readonly closedP: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly connection: QUICConnection,
    private readonly stopConnection: () => Promise<void>,
    private readonly maxFrameBytes: number,
    maxConcurrentStreams: number,
    private readonly address: string,
  ) {
    this.slots = new StreamSlots(maxConcurrentStreams);
    this.closedP = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    connection.addEventListener(quicEvents.EventQUICConnectionStream.name, this.handleStream);
    connection.addEventListener(quicEvents.EventQUICConnectionError.name, this.handleError);
    connection.addEventListener(quicEvents.EventQUICConnectionStopped.name, this.handleStopped, { once: true });
    if (connection.closed) this.handleStopped();
  }

  async send(type: FrameType, id: number, payload: Uint8Array, flags = 0, prefix?: Uint8Array): Promise<void> {
    const bytes = encodeFrame(type, id, payload, this.maxFrameBytes, flags, prefix);
    if (this.closing || this.finished) throw new ConnectionClosedError('QUIC connection is closed');
    if (id === CONTROL_ID) {
      const stream = await this.openStream();
      const writer = stream.writable.getWriter();
      void this.readLoop(stream, CONTROL_ID);
      try {
        await writer.write(bytes);
        await writer.close();
      } finally {
        writer.releaseLock();
      }
      return;
    }
    let exchange = this.exchanges.get(id);
    if (exchange === undefined) {
      if (type !== FrameType.Request && type !== FrameType.OneWay) throw new ConnectionClosedError(`exchange ${id} already finished`);
      const stream = await this.openStream();
      exchange = this.register(id, stream);
      void this.readLoop(stream, id);
      if (type === FrameType.Request && (flags & FLAG_STREAMING) === 0) {
        // A plain request is one frame: send its FIN with it, so the stream is finished in one
        // round trip (no separate FIN datagram after the response, no teardown on the next request).
        exchange.halfClosed = true;
        const written = exchange.writer.write(bytes);
        const closed = exchange.writer.close();
        await Promise.all([written, closed]);
        return;
      }
    }
    await exchange.writer.write(bytes);
  }

  finish(id: number): void {
    const exchange = this.exchanges.get(id);
    if (exchange === undefined) return;
    this.exchanges.delete(id);
    if (!exchange.halfClosed) exchange.writer.close().catch(() => undefined);
    exchange.writer.releaseLock();
  }

  reset(id: number): void {
    const exchange = this.exchanges.get(id);
    if (exchange === undefined) return;
    this.exchanges.delete(id);
    exchange.writer.releaseLock();
    try {
      exchange.stream.cancel(new ConnectionClosedError('request cancelled'));
    } catch {
      // The stream may already be gone; nothing left to cancel.
    }
  }

  async close(reason: string): Promise<void> {
    if (!this.closing && !this.finished) {
      this.closing = true;
      this.closeReason = reason;
      this.slots.close(reason);
      await this.stopConnection().catch(() => undefined);
      // A client connection may have stopped without dispatching the event to us.
      if (!this.finished) this.handleStopped();
    }
    await this.closedP;
  }

  private async openStream(): Promise<QUICStream> {
    await this.slots.acquire();
    for (;;) {
      if (this.closing || this.finished) {
        this.slots.release();
        throw new ConnectionClosedError('QUIC connection is closed');
      }
      try {
        const stream = this.connection.newStream('bidi');
        stream.closedP.finally(() => this.slots.release()).catch(() => undefined);
        return stream;
      } catch (error) {
        if (!(error instanceof quicErrors.ErrorQUICStreamLimit)) {
          this.slots.release();
          throw mapQuicError(error, this.address);
        }
        // The peer has not yet raised its stream credit: wait a moment and try again.
        await new Promise((resolve) => setTimeout(resolve, STREAM_LIMIT_RETRY_MS));
      }
    }
  }

  private register(id: number, stream: QUICStream): ExchangeStream {
    if (this.exchanges.has(id)) throw new ProtocolViolationError(`exchange id ${id} is already in use`);
    const writer = stream.writable.getWriter();
    const exchange: ExchangeStream = { stream, writer, halfClosed: false };
    writer.closed.catch(() => {
      // The peer stopped our half (STOP_SENDING) while the exchange was live: it cancelled. Our
      // own finish/reset/close remove the exchange first, so they do not land here.
      if (!this.closing && !this.finished && this.exchanges.get(id) === exchange) {
        this.onFrame({ type: FrameType.Cancel, flags: 0, id, payload: EMPTY });
      }
    });
    this.exchanges.set(id, exchange);
    return exchange;
  }

  private readonly handleStream = (event: Event): void => {
    const stream = (event as unknown as { detail: QUICStream }).detail;
    void this.readLoop(stream, undefined);
  };

  private readonly handleError = (event: Event): void => {
    const error = (event as unknown as { detail: Error }).detail;
    if (isGracefulQuicClose(error)) return;
    this.closeError ??= mapQuicError(error, this.address);
  };

  private readonly handleStopped = (): void => {
    if (this.finished) return;
    this.finished = true;
    this.slots.close(this.closeReason);
    this.connection.removeEventListener(quicEvents.EventQUICConnectionStream.name, this.handleStream);
    this.connection.removeEventListener(quicEvents.EventQUICConnectionError.name, this.handleError);
    this.connection.removeEventListener(quicEvents.EventQUICConnectionStopped.name, this.handleStopped);
    for (const exchange of this.exchanges.values()) exchange.writer.releaseLock();
    this.exchanges.clear();
    // A graceful local close is not an error worth reporting.
    const error = this.closing && this.closeError instanceof ConnectionClosedError ? undefined : this.closeError;
    this.onClose(this.closing ? this.closeReason : `peer closed: ${error?.message ?? 'no reason'}`, this.closing ? undefined : error);
    this.resolveClosed();
  };

  /** Reads frames from one stream; `knownId` is set for streams we opened. */
  private async readLoop(stream: QUICStream, knownId: number | undefined): Promise<void> {
    const reader = stream.readable.getReader();
    const decoder = new FrameDecoder(this.maxFrameBytes);
    let id = knownId;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          decoder.finish();
          break;
        }
        for (const frame of decoder.push(value)) {
          if (id === undefined) {
            id = frame.id;
            if (id !== CONTROL_ID) this.register(id, stream);
          } else if (frame.id !== id) {
            throw new FrameMalformedError(`frame for exchange ${frame.id} arrived on the stream of exchange ${id}`);
          }
          this.onFrame(frame);
        }
      }
    } catch (error) {
      if (error instanceof FrameError || error instanceof ProtocolViolationError) {
        this.fail(error);
        return;
      }
      // The peer reset the stream: the exchange is cancelled, the connection lives on.
      if (id !== undefined && id !== CONTROL_ID && this.exchanges.has(id)) {
        this.onFrame({ type: FrameType.Cancel, flags: 0, id, payload: EMPTY });
      }
    } finally {
      reader.releaseLock();
    }
    if (id === CONTROL_ID && knownId === undefined) {
      // A peer's control stream: close our (unused) half so the stream can be freed.
      stream.writable.close().catch(() => undefined);
    }
  }

  private fail(error: FrameError | ProtocolViolationError): void {
    if (this.closing || this.finished) return;
    this.closeError = error;
    this.closeReason = `protocol error: ${error.code}`;
    this.onClose(this.closeReason, error);
  }
}
