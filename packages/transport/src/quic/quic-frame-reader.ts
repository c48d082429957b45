import { FrameTruncatedError } from '../errors';
import { checkFrameHeader, FRAME_HEADER_BYTES, readUint32, type Frame, type FrameType } from '../frame/frame-codec';

/** The part of quiche's connection a reader uses. */
export interface StreamSource {
  streamRecv(streamId: number, data: Uint8Array): [number, boolean] | null;
}

/** A payload that did not arrive whole in one read: quiche writes the rest straight into it. */
interface PartialFrame {
  readonly type: FrameType;
  readonly flags: number;
  readonly id: number;
  readonly length: number;
  bytes: Uint8Array;
  filled: number;
}

/** streamRecv threw (not our framing): told apart from FrameErrors thrown while delivering. */
class StreamRecvError extends Error {
  constructor(readonly thrown: unknown) {
    super('streamRecv failed');
  }
}

function recv(source: StreamSource, streamId: number, into: Uint8Array): [number, boolean] | null {
  try {
    return source.streamRecv(streamId, into);
  } catch (error) {
    throw new StreamRecvError(error);
  }
}

/** The first buffer of a partial payload; it doubles as data arrives, so memory follows what was received. */
const FIRST_PART_BYTES = 16 * 1024;

/**
 * Reads one QUIC stream's frames straight from quiche: small frames through a scratch buffer shared
 * by every stream (copied out per payload), large payloads directly into their own buffer, grown by
 * doubling (each byte copied at most about twice, never once per datagram as concatenation would).
 * Validates headers like FrameDecoder and throws the same FrameErrors.
 */
export class QuicFrameReader {
  /** Header bytes (fewer than 12) left over from the last read. */
  private carried: Uint8Array | undefined;
  private partial: PartialFrame | undefined;
  /** What streamRecv threw when read() returned 'failed'. */
  recvError: unknown;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes held for an unfinished frame. */
  get bufferedBytes(): number {
    if (this.partial !== undefined) return FRAME_HEADER_BYTES + this.partial.filled;
    return this.carried?.byteLength ?? 0;
  }

  /**
   * Reads what quiche has for `streamId` into frames, handing each to `deliver`, while `live()`
   * holds: 'fin' when the peer's FIN was read, 'blocked' when quiche has nothing more now,
   * 'failed' when streamRecv threw (the peer reset the stream, or quiche dropped it: `recvError`).
   * Throws a FrameError on bad framing (FrameTruncatedError at a FIN in the middle of a frame).
   */
  read(
    source: StreamSource,
    streamId: number,
    scratch: Uint8Array,
    deliver: (frame: Frame) => void,
    live: () => boolean,
  ): 'fin' | 'blocked' | 'failed' {
    while (live()) {
      const partial = this.partial;
      let result: [number, boolean] | null;
      let room: number;
      try {
        if (partial !== undefined) {
          room = partial.bytes.byteLength - partial.filled;
          result = recv(source, streamId, partial.bytes.subarray(partial.filled));
        } else {
          room = scratch.byteLength - (this.carried?.byteLength ?? 0);
          result = this.readHeaders(source, streamId, scratch, deliver);
        }
      } catch (error) {
        if (!(error instanceof StreamRecvError)) throw error;
        this.recvError = error.thrown;
        return 'failed';
      }
      if (result === null) return 'blocked';
      if (partial !== undefined) this.fillPartial(partial, result[0], deliver);
      if (result[1]) {
        if (this.bufferedBytes > 0) throw new FrameTruncatedError(this.bufferedBytes);
        return 'fin';
      }
      // quiche hands over all the in-order data it holds: a read that left room drained the stream
      // for now, and asking again would only cost a napi call that returns Done.
      if (result[0] < room) return 'blocked';
    }
    return 'blocked';
  }

  /** One read into scratch (after any carried header bytes), delivering the whole frames in it. */
  private readHeaders(
    source: StreamSource,
    streamId: number,
    scratch: Uint8Array,
    deliver: (frame: Frame) => void,
  ): [number, boolean] | null {
    const carried = this.carried?.byteLength ?? 0;
    const result = recv(source, streamId, carried === 0 ? scratch : scratch.subarray(carried));
    if (result === null) return null;
    if (this.carried !== undefined) scratch.set(this.carried, 0);
    this.carried = undefined;
    const end = carried + result[0];
    let offset = 0;
    while (end - offset >= FRAME_HEADER_BYTES) {
      const length = checkFrameHeader(scratch, offset, this.maxFrameBytes);
      const start = offset + FRAME_HEADER_BYTES;
      const type = scratch[offset + 1] as FrameType;
      const flags = scratch[offset + 2] as number;
      const id = readUint32(scratch, offset + 4);
      if (end - start < length) {
        const bytes = new Uint8Array(Math.min(length, Math.max(FIRST_PART_BYTES, 2 * (end - start))));
        bytes.set(scratch.subarray(start, end));
        this.partial = { type, flags, id, length, bytes, filled: end - start };
        return result;
      }
      // A copy: scratch is read into again for the next stream.
      deliver({ type, flags, id, payload: scratch.slice(start, start + length) });
      offset = start + length;
    }
    if (offset < end) this.carried = scratch.slice(offset, end);
    return result;
  }

  private fillPartial(partial: PartialFrame, read: number, deliver: (frame: Frame) => void): void {
    partial.filled += read;
    if (partial.filled === partial.length) {
      this.partial = undefined;
      const { type, flags, id } = partial;
      deliver({ type, flags, id, payload: partial.bytes });
      return;
    }
    if (partial.filled === partial.bytes.byteLength) {
      const grown = new Uint8Array(Math.min(partial.length, partial.bytes.byteLength * 2));
      grown.set(partial.bytes);
      partial.bytes = grown;
    }
  }
}
