import { ConnectionClosedError, FrameError, FrameMalformedError, ProtocolViolationError } from '../errors';
import { FLAG_STREAMING, FrameType, encodeFrame, type Frame } from '../frame/frame-codec';
import type { FrameLink } from '../session/frame-link';
import { AppCode, type QuicCloseInfo } from './endpoint/close-info';
import type { ConnectionHandler, QuicConnection } from './endpoint/quic-connection';
import { EarlyDataGate, type EarlyDataPolicy, type EarlyDataStatus } from './early-data-gate';
import { isServerInitiated, isStreamReset, isUnidirectional, QuicStream } from './endpoint/quic-stream';
import { QuicStreamOpener } from './quic-stream-opener';
import { QuicStreamWriter } from './quic-stream-writer';

const EMPTY = new Uint8Array(0);
const CONTROL_ID = 0;
const SHUTDOWN_READ = 0;
const SHUTDOWN_WRITE = 1;
/** Up to this many streams, STOP_SENDING is looked for by probing each rather than listing. */
const PROBE_LIMIT = 64;
/** Reads are synchronous and the reader copies what it keeps, so every link can share one buffer. */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

/**
 * One QUIC stream per exchange, written and read straight through quiche (no web streams), so a
 * slow or lost message only delays its own exchange. Control frames (id 0) each travel on a
 * short-lived stream of their own. Streams the peer opens that we do not use (unidirectional)
 * are refused with STOP_SENDING; bad framing closes the connection with a typed error.
 */
export class QuicFrameLink implements FrameLink, ConnectionHandler {
  onFrame: (frame: Frame) => void = () => undefined;
  onClose: (reason: string, error?: Error) => void = () => undefined;

  private readonly streams = new Map<number, QuicStream>();
  readonly openStreams: ReadonlyMap<number, unknown> = this.streams;
  private readonly exchanges = new Map<number, QuicStream>();
  private readonly opener: QuicStreamOpener;
  private readonly writer: QuicStreamWriter;
  /** Set while a link made before the handshake completed (0-RTT) holds back what must wait. */
  private readonly gate: EarlyDataGate | undefined;
  private closing = false;
  private finished = false;
  private closeReason = 'peer closed the connection';
  private closeError: Error | undefined;
  private readonly closedP: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly connection: QuicConnection,
    private readonly maxFrameBytes: number,
    maxConcurrentStreams: number,
    /** The typed error for a close we did not ask for (undefined: graceful). */
    private readonly mapClose: (info: QuicCloseInfo) => Error | undefined,
    earlyData?: EarlyDataPolicy,
  ) {
    const early = earlyData !== undefined && !connection.established;
    this.gate = early ? new EarlyDataGate(connection, earlyData) : undefined;
    const isFinished = (): boolean => this.finished;
    this.opener = new QuicStreamOpener(connection, maxFrameBytes, maxConcurrentStreams, this.streams, isFinished);
    const settle = (stream: QuicStream): void => this.settle(stream);
    const peerCancelled = (stream: QuicStream): void => this.peerCancelled(stream);
    this.writer = new QuicStreamWriter(connection, isFinished, settle, peerCancelled);
    this.closedP = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    connection.handler = this;
  }

  async send(type: FrameType, id: number, payload: Uint8Array, flags = 0, prefix?: Uint8Array): Promise<void> {
    await this.sendNow(type, id, payload, flags, prefix);
  }

  sendNow(
    type: FrameType,
    id: number,
    payload: Uint8Array,
    flags = 0,
    prefix?: Uint8Array,
  ): Promise<void> | undefined {
    if (this.gate?.holdsOutgoing(type, payload, prefix) === true) {
      return this.gate.handshakeDone().then(() => this.sendNow(type, id, payload, flags, prefix));
    }
    const bytes = encodeFrame(type, id, payload, this.maxFrameBytes, flags, prefix);
    if (this.closing || this.finished) throw new ConnectionClosedError('QUIC connection is closed');
    if (id === CONTROL_ID) return this.writeOnNewStream(CONTROL_ID, bytes, true);
    const exchange = this.exchanges.get(id);
    if (exchange !== undefined) return this.writer.write(exchange, bytes, false);
    if (type !== FrameType.Request && type !== FrameType.OneWay) {
      throw new ConnectionClosedError(`exchange ${id} already finished`);
    }
    // A plain request is one frame: its FIN goes with it (one round trip per exchange).
    return this.writeOnNewStream(id, bytes, type === FrameType.Request && (flags & FLAG_STREAMING) === 0);
  }

  finish(id: number): void {
    const stream = this.exchanges.get(id);
    if (stream === undefined) return;
    this.exchanges.delete(id);
    if (!stream.localDone) this.writer.write(stream, EMPTY, true)?.catch(() => undefined);
    this.settle(stream);
  }

  reset(id: number): void {
    const stream = this.exchanges.get(id);
    if (stream === undefined) return;
    this.exchanges.delete(id);
    this.abort(stream, new ConnectionClosedError('request cancelled'));
  }

  async close(reason: string): Promise<void> {
    if (!this.closing && !this.finished) {
      this.closing = true;
      this.closeReason = reason;
      this.connection.close(true, AppCode.NoError, reason);
    }
    await this.closedP;
  }

  established(): void {
    // Without 0-RTT the transport attaches the link after the handshake and the policy check.
    try {
      this.gate?.established((frame) => this.onFrame(frame));
    } catch (error) {
      if (error instanceof Error) this.fail(error);
    }
  }

  /** Dialer: whether requests went as 0-RTT early data and the server took them. */
  earlyDataStatus(): EarlyDataStatus {
    return this.gate?.status() ?? 'none';
  }

  streamReadable(streamId: number): void {
    let stream = this.streams.get(streamId);
    if (stream === undefined) {
      const ours = isServerInitiated(streamId) === (this.connection.role === 'server');
      if (ours || isUnidirectional(streamId) || this.closing) {
        // Unidirectional streams carry nothing in agentlink/1; a stream of ours we already
        // forgot has nothing left for anyone. Either way: STOP_SENDING, and read nothing.
        this.shutdown(streamId, SHUTDOWN_READ, AppCode.StreamRefused);
        if (!isUnidirectional(streamId)) this.shutdown(streamId, SHUTDOWN_WRITE, AppCode.StreamRefused);
        return;
      }
      stream = new QuicStream(streamId, false, this.maxFrameBytes);
      this.streams.set(streamId, stream);
    }
    this.read(stream);
  }

  /** After every event: queued writes and stream openings get another chance. */
  afterEvent(): void {
    this.writer.drainBlocked();
    this.opener.wake();
  }

  /** Once per turn (not per datagram): writable() walks every stream with room to write. */
  beforeFlush(): void {
    this.detectStopSending();
  }

  /**
   * A peer that cancels an exchange whose request it already sent in full can only say so with
   * STOP_SENDING; quiche lists such a stream as writable and a zero-length write reports it.
   */
  private detectStopSending(): void {
    if (this.exchanges.size === 0) return;
    // A few streams: probe each (writable() costs ~40 µs through napi, a probe ~0.5 µs).
    if (this.streams.size <= PROBE_LIMIT) {
      for (const s of this.streams.values()) if (!s.localDone && s.pending.length === 0) this.writer.probe(s);
      return;
    }
    for (const streamId of this.connection.native.writable()) {
      const stream = this.streams.get(streamId);
      if (stream === undefined || stream.localDone || stream.pending.length > 0) continue;
      this.writer.probe(stream);
    }
  }

  closed(info: QuicCloseInfo): void {
    if (this.finished) return;
    this.finished = true;
    const error = this.closing ? undefined : (this.closeError ?? this.mapClose(info));
    const ours = this.closing || this.closeError !== undefined;
    const reason = ours ? this.closeReason : `peer closed: ${error?.message ?? 'no reason'}`;
    const gone = new ConnectionClosedError(reason);
    this.opener.rejectAll(gone);
    this.gate?.closed(gone);
    for (const stream of this.streams.values()) stream.rejectPending(gone);
    this.streams.clear();
    this.exchanges.clear();
    this.writer.clear();
    this.onClose(reason, error);
    this.resolveClosed();
  }

  private writeOnNewStream(exchange: number, bytes: Uint8Array, fin: boolean): Promise<void> | undefined {
    const opened = this.opener.open();
    if (opened instanceof QuicStream) return this.start(opened, exchange, bytes, fin);
    return opened.then((stream) => this.start(stream, exchange, bytes, fin));
  }

  private start(stream: QuicStream, exchange: number, bytes: Uint8Array, fin: boolean): Promise<void> | undefined {
    stream.exchange = exchange;
    if (exchange !== CONTROL_ID) {
      if (this.exchanges.has(exchange)) throw new ProtocolViolationError(`exchange id ${exchange} is already in use`);
      this.exchanges.set(exchange, stream);
    }
    return this.writer.write(stream, bytes, fin);
  }

  private read(stream: QuicStream): void {
    let outcome: 'fin' | 'blocked' | 'failed';
    try {
      const deliver = (frame: Frame): void => this.deliver(stream, frame);
      outcome = stream.reader.read(this.connection.native, stream.id, readBuffer, deliver, this.isLive);
    } catch (error) {
      if (error instanceof FrameError || error instanceof ProtocolViolationError) this.fail(error);
      else throw error;
      return;
    }
    if (outcome === 'failed') {
      // RESET_STREAM from the peer (or a stream quiche already dropped): the exchange is cancelled.
      stream.remoteDone = true;
      if (isStreamReset(stream.reader.recvError)) this.peerCancelled(stream);
      this.settle(stream);
    } else if (outcome === 'fin') {
      stream.remoteDone = true;
      // A peer's control stream (or an empty one): close our unused half so it can be freed.
      if (!stream.local && (stream.exchange === undefined || stream.exchange === CONTROL_ID) && !stream.localDone) {
        this.writer.write(stream, EMPTY, true)?.catch(() => undefined);
      }
      this.settle(stream);
    }
  }

  private readonly isLive = (): boolean => !this.finished && !this.closing;

  private deliver(stream: QuicStream, frame: Frame): void {
    if (stream.exchange === undefined) {
      stream.exchange = frame.id;
      if (frame.id !== CONTROL_ID) {
        if (this.exchanges.has(frame.id)) {
          throw new ProtocolViolationError(`exchange id ${frame.id} is already in use`);
        }
        this.exchanges.set(frame.id, stream);
      }
    } else if (frame.id !== stream.exchange) {
      const detail = `frame for exchange ${frame.id} arrived on the stream of exchange ${stream.exchange}`;
      throw new FrameMalformedError(detail);
    }
    if (this.gate?.holdsIncoming(stream.id, frame) === true) return;
    this.onFrame(frame);
  }

  private peerCancelled(stream: QuicStream): void {
    if (this.gate?.forget(stream.id) === true) return;
    const id = stream.exchange;
    const live = id !== undefined && id !== CONTROL_ID && this.exchanges.get(id) === stream;
    if (live && !this.closing && !this.finished) {
      this.onFrame({ type: FrameType.Cancel, flags: 0, id, payload: EMPTY });
    }
  }

  private abort(stream: QuicStream, error: Error): void {
    this.shutdown(stream.id, SHUTDOWN_WRITE, AppCode.Cancelled);
    this.shutdown(stream.id, SHUTDOWN_READ, AppCode.Cancelled);
    stream.rejectPending(error);
    this.writer.forget(stream);
    stream.localDone = stream.remoteDone = true;
    this.connection.scheduleFlush();
    this.settle(stream);
  }

  private shutdown(streamId: number, direction: number, code: number): void {
    try {
      this.connection.native.streamShutdown(streamId, direction, code);
    } catch {
      // That direction is already finished (or was never open): nothing to stop.
    }
  }

  /** Forgets a stream whose both directions are finished and frees its slot. */
  private settle(stream: QuicStream): void {
    if (!stream.done || this.streams.get(stream.id) !== stream) return;
    this.streams.delete(stream.id);
    const exchange = stream.exchange;
    if (exchange !== undefined && this.exchanges.get(exchange) === stream) this.exchanges.delete(exchange);
    if (stream.local) {
      this.opener.released();
    }
  }

  /** Closes for bad framing, or (0-RTT) for a peer that failed its check once the handshake completed. */
  private fail(error: Error): void {
    if (this.closing || this.finished) return;
    const code = (error as { code?: string }).code ?? 'ERR_PROTOCOL';
    this.closeError = error;
    const framing = error instanceof FrameError || error instanceof ProtocolViolationError;
    this.closeReason = framing ? `protocol error: ${code}` : `peer refused: ${code}`;
    this.connection.close(true, framing ? AppCode.ProtocolError : AppCode.PeerRefused, code);
  }
}
