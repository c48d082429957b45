import { FrameMalformedError, ProtocolViolationError } from '../errors';
import { encodeFrame, FLAG_STREAMING, FrameType, type Frame } from '../frame/frame-codec';
import type { QuicStream } from './endpoint/quic-stream';
import type { QuicStreamOpener } from './quic-stream-opener';
import type { QuicStreamWriter } from './quic-stream-writer';

/** Hello payload of a listener with lanes: format 1, then the lane exchanges it takes at once (u32). */
const HELLO_LANES_FORMAT = 1;
const HELLO_LANES_BYTES = 5;

/** What a link's lanes are allowed to do (quic-options.ts resolves them). */
export interface LaneSettings {
  /** Largest whole frame (header included) that rides a lane; 0 turns lanes off. */
  readonly maxFrameBytes: number;
  /** Listener: lane exchanges one dialer may have in flight at once (announced in the Hello). */
  readonly capacity: number;
}

/** What the lanes use of their frame link. */
export interface LaneHost {
  readonly role: 'client' | 'server';
  /** Exchange id → the stream its frames go on (a lane for lane exchanges). */
  readonly exchanges: Map<number, QuicStream>;
  readonly writer: QuicStreamWriter;
  readonly opener: QuicStreamOpener;
  readonly maxFrameBytes: number;
  /** Whether the handshake is complete (lanes never carry 0-RTT data). */
  readonly established: () => boolean;
  /** Hands a frame to the session. */
  readonly deliver: (frame: Frame) => void;
}

const EMPTY = new Uint8Array(0);

/** Frame types a lane carries: single-frame exchanges and their answers, and cancels. */
const LANE_TYPES = new Set([
  FrameType.Request,
  FrameType.OneWay,
  FrameType.Response,
  FrameType.Error,
  FrameType.Cancel,
]);

/**
 * Lanes: quiche puts one STREAM frame in a packet, so sixteen small requests on sixteen streams
 * cost sixteen datagrams each way. A dialer whose listener announced lanes (in its Hello) sends
 * small single-frame requests on one long-lived stream instead, interleaved by exchange id as
 * over TCP, and the listener answers on the same stream; quiche then packs a turn's requests
 * into one packet. The price is TCP's: a lost packet holds up the lane's later exchanges until
 * it is resent, so large and streamed exchanges keep a stream of their own.
 */
export class QuicLanes {
  /** Dialer: lane exchanges the listener takes at once (0 until its Hello says otherwise). */
  private peerCapacity = 0;
  /** Dialer: our lane, once opened. */
  private own: QuicStream | undefined;
  /** Dialer: our lane exchanges not yet answered (or cancelled). */
  private readonly outbound = new Set<number>();
  /** Listener: the peer's lane exchanges still running here. */
  private readonly inbound = new Set<number>();

  private readonly role: 'client' | 'server';

  constructor(
    private readonly settings: LaneSettings,
    private readonly host: LaneHost,
  ) {
    this.role = host.role;
  }

  /** Listener: the Hello we send says how many lane exchanges a dialer may have in flight. */
  helloPayload(payload: Uint8Array): Uint8Array {
    if (this.role !== 'server' || this.settings.maxFrameBytes === 0 || payload.byteLength > 0) return payload;
    const announce = Buffer.allocUnsafe(HELLO_LANES_BYTES);
    announce[0] = HELLO_LANES_FORMAT;
    announce.writeUInt32BE(this.settings.capacity, 1);
    return announce;
  }

  /** Dialer: the listener's Hello (an older listener's is empty: no lanes). */
  helloArrived(payload: Uint8Array): void {
    if (this.role !== 'client' || payload.byteLength < HELLO_LANES_BYTES || payload[0] !== HELLO_LANES_FORMAT) return;
    this.peerCapacity = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).readUInt32BE(1);
  }

  /**
   * Dialer: the lane for the first frame of a new exchange (`bytes` long, encoded), registered
   * there, or undefined if it takes a stream of its own.
   */
  laneFor(id: number, type: FrameType, flags: number, bytes: number): QuicStream | undefined {
    if (this.peerCapacity === 0 || bytes > this.settings.maxFrameBytes) return undefined;
    if (this.outbound.size >= this.peerCapacity) return undefined;
    if (type !== FrameType.OneWay && (type !== FrameType.Request || (flags & FLAG_STREAMING) !== 0)) return undefined;
    const lane = this.own ?? this.open();
    if (lane === undefined) return undefined;
    this.outbound.add(id);
    this.host.exchanges.set(id, lane);
    return lane;
  }

  /** Dialer: cancels a lane exchange with a Cancel frame after its request, as over TCP. */
  cancel(lane: QuicStream, id: number): void {
    this.ended(id);
    const bytes = encodeFrame(FrameType.Cancel, id, EMPTY, this.host.maxFrameBytes);
    this.host.writer.write(lane, bytes, false)?.catch(() => undefined);
  }

  /** Listener: a stream the peer opened starts with a Lane frame. */
  accept(stream: QuicStream): void {
    if (this.role !== 'server' || this.settings.maxFrameBytes === 0) {
      throw new ProtocolViolationError('the peer opened a lane, which this side did not offer');
    }
    // Early data could be replayed: 0-RTT requests need the idempotency check of their own stream.
    if (!this.host.established()) throw new ProtocolViolationError('the peer opened a lane in 0-RTT data');
    stream.lane = true;
  }

  /** A frame on a lane: answers (on ours) or requests and cancels (on the peer's), routed by id. */
  deliver(lane: QuicStream, frame: Frame): void {
    if (lane.local) this.answerFrame(frame);
    else this.inboundFrame(frame);
    const route = this.host.exchanges.get(frame.id);
    if (frame.type === FrameType.Request || frame.type === FrameType.OneWay) {
      if (route !== undefined) throw new ProtocolViolationError(`exchange id ${frame.id} is already in use`);
      this.host.exchanges.set(frame.id, lane);
    } else if (route !== undefined && route !== lane) {
      throw new FrameMalformedError(`frame for exchange ${frame.id} arrived on a lane, not on its stream`);
    }
    this.host.deliver(frame);
  }

  /**
   * Listener: checks a frame that arrived on the peer's lane and counts the exchanges it starts
   * and ends. Throws ProtocolViolationError for what a lane never carries, or past the capacity.
   */
  private inboundFrame(frame: Frame): void {
    if (!LANE_TYPES.has(frame.type) || (frame.flags & FLAG_STREAMING) !== 0) {
      throw new ProtocolViolationError(`frame type ${frame.type} is not allowed on a lane`);
    }
    if (frame.type === FrameType.Cancel) this.inbound.delete(frame.id);
    if (frame.type !== FrameType.Request && frame.type !== FrameType.OneWay) return;
    if (this.inbound.size >= this.settings.capacity) {
      throw new ProtocolViolationError(`more than ${this.settings.capacity} exchanges in flight on the lane`);
    }
    this.inbound.add(frame.id);
  }

  /** Dialer: checks a frame on our lane: only answers to our lane exchanges come back. */
  private answerFrame(frame: Frame): void {
    if (frame.type !== FrameType.Response && frame.type !== FrameType.Error) {
      throw new ProtocolViolationError(`frame type ${frame.type} is not an answer on our lane`);
    }
  }

  /** Either side: exchange `id` on a lane ended here (answered, finished or cancelled). */
  ended(id: number): void {
    this.outbound.delete(id);
    this.inbound.delete(id);
  }

  /** Dialer: opens our lane (announced by a Lane frame) if a stream slot is free now. */
  private open(): QuicStream | undefined {
    const stream = this.host.opener.openNow();
    if (stream === undefined) return undefined;
    stream.lane = true;
    this.own = stream;
    this.host.writer.write(stream, encodeFrame(FrameType.Lane, 0, EMPTY, this.host.maxFrameBytes), false);
    return stream;
  }

  clear(): void {
    this.own = undefined;
    this.outbound.clear();
    this.inbound.clear();
  }
}
