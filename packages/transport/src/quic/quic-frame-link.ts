import { ConnectionClosedError, FrameError, FrameMalformedError, ProtocolViolationError } from '../errors';
import { FLAG_STREAMING, FrameType, encodeFrame, type Frame } from '../frame/frame-codec';
import type { FrameLink } from '../session/frame-link';
import { AppCode, type QuicCloseInfo } from './endpoint/close-info';
import type { ConnectionHandler, QuicConnection } from './endpoint/quic-connection';
import { EarlyDataGate, type EarlyDataPolicy, type EarlyDataStatus } from './early-data-gate';
import { isServerInitiated, isStreamReset, isUnidirectional, QuicStream } from './endpoint/quic-stream';
import { QuicLanes, type LaneSettings } from './quic-lanes';
import { QuicStreamOpener } from './quic-stream-opener';
import { QuicStreamWriter } from './quic-stream-writer';
import { probeStopSending, SHUTDOWN_READ, SHUTDOWN_WRITE, shutdownStream } from './stream-signals';
import { sendAsMessage } from './stream-priority';

const EMPTY = new Uint8Array(0);
const CONTROL_ID = 0;
const NO_LANES: LaneSettings = { maxFrameBytes: 0, capacity: 0 };
/** Reads are synchronous and copy what they keep, so links share one (plain: Buffer slices are slow) buffer. */
const readBuffer = new Uint8Array(64 * 1024);

/**
 * One QUIC stream per exchange, written and read straight through quiche (no web streams), so a
 * slow or lost message only delays its own exchange; small single-frame requests of a dialer
 * share a lane instead (quic-lanes.ts). Control frames (id 0) each travel on a short-lived
 * stream of their own. Streams the peer opens that we do not use (unidirectional) are refused
 * with STOP_SENDING; bad framing closes the connection with a typed error.
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
  private readonly lanes: QuicLanes;
  private closing = false;
  private finished = false;
  private closeReason = 'peer closed the connection';
  private closeError: Error | undefined;
  private readonly closedP: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly connection: QuicConnection,
    private readonly maxFrameBytes: number,
    limits: { readonly maxConcurrentStreams: number; readonly lanes?: LaneSettings },
    /** The typed error for a close we did not ask for (undefined: graceful). */
    private readonly mapClose: (info: QuicCloseInfo) => Error | undefined,
    earlyData?: EarlyDataPolicy,
  ) {
    const { maxConcurrentStreams } = limits;
    const early = earlyData !== undefined && !connection.established;
    this.gate = early ? new EarlyDataGate(connection, earlyData) : undefined;
    const isFinished = (): boolean => this.finished;
    this.opener = new QuicStreamOpener(connection, maxFrameBytes, maxConcurrentStreams, this.streams, isFinished);
    const settle = (stream: QuicStream): void => this.settle(stream);
    const peerCancelled = (stream: QuicStream): void => this.peerCancelled(stream);
    this.writer = new QuicStreamWriter(connection, isFinished, settle, peerCancelled);
    this.lanes = new QuicLanes(limits.lanes ?? NO_LANES, {
      role: connection.role,
      exchanges: this.exchanges,
      writer: this.writer,
      opener: this.opener,
      maxFrameBytes,
      established: () => connection.established,
      deliver: (frame) => this.onFrame(frame),
    });
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
    const body = type === FrameType.Hello ? this.lanes.helloPayload(payload) : payload;
    const bytes = encodeFrame(type, id, body, this.maxFrameBytes, flags, prefix);
    if (this.closing || this.finished) throw new ConnectionClosedError('QUIC connection is closed');
    if (id === CONTROL_ID) return this.writeOnNewStream(CONTROL_ID, bytes, true);
    const exchange = this.exchanges.get(id);
    if (exchange !== undefined) return this.writer.write(exchange, bytes, false);
    if (type !== FrameType.Request && type !== FrameType.OneWay) {
      throw new ConnectionClosedError(`exchange ${id} already finished`);
    }
    const lane = this.lanes.laneFor(id, type, flags, bytes.byteLength);
    if (lane !== undefined) return this.writer.write(lane, bytes, false);
    // A plain request is one frame: its FIN goes with it (one round trip per exchange).
    return this.writeOnNewStream(id, bytes, type === FrameType.Request && (flags & FLAG_STREAMING) === 0);
  }

  finish(id: number): void {
    const stream = this.exchanges.get(id);
    if (stream === undefined) return;
    this.exchanges.delete(id);
    if (stream.lane) return this.lanes.ended(id);
    if (!stream.localDone) this.writer.write(stream, EMPTY, true)?.catch(() => undefined);
    this.settle(stream);
  }

  reset(id: number): void {
    const stream = this.exchanges.get(id);
    if (stream === undefined) return;
    this.exchanges.delete(id);
    if (stream.lane) return this.lanes.cancel(stream, id);
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
        // Unidirectional streams carry nothing in agentlink/1; a stream of ours we forgot has nothing left: refuse.
        const { native } = this.connection;
        shutdownStream(native, streamId, SHUTDOWN_READ, AppCode.StreamRefused);
        if (!isUnidirectional(streamId)) shutdownStream(native, streamId, SHUTDOWN_WRITE, AppCode.StreamRefused);
        return;
      }
      stream = new QuicStream(streamId, false, this.maxFrameBytes);
      sendAsMessage(this.connection.native, streamId);
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
    if (this.exchanges.size > 0) probeStopSending(this.connection, this.streams, this.writer);
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
    this.lanes.clear();
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
    if (stream.lane && outcome !== 'blocked') {
      // A lane lives as long as the connection; ending or resetting it would strand its exchanges.
      this.fail(new ProtocolViolationError('the peer ended a lane'));
    } else if (outcome === 'failed') {
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
    if (stream.lane) return this.lanes.deliver(stream, frame);
    if (stream.exchange === undefined && frame.type === FrameType.Lane && !stream.local) {
      return this.lanes.accept(stream);
    }
    if (frame.type === FrameType.Hello) this.lanes.helloArrived(frame.payload);
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
    if (stream.lane) return this.fail(new ProtocolViolationError('the peer stopped a lane'));
    if (this.gate?.forget(stream.id) === true) return;
    const id = stream.exchange;
    const live = id !== undefined && id !== CONTROL_ID && this.exchanges.get(id) === stream;
    if (live && !this.closing && !this.finished) {
      this.onFrame({ type: FrameType.Cancel, flags: 0, id, payload: EMPTY });
    }
  }

  private abort(stream: QuicStream, error: Error): void {
    shutdownStream(this.connection.native, stream.id, SHUTDOWN_WRITE, AppCode.Cancelled);
    shutdownStream(this.connection.native, stream.id, SHUTDOWN_READ, AppCode.Cancelled);
    stream.rejectPending(error);
    this.writer.forget(stream);
    stream.localDone = stream.remoteDone = true;
    this.connection.scheduleFlush();
    this.settle(stream);
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
