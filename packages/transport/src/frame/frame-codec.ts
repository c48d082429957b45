import { FrameMalformedError, FrameTooLargeError, FrameTruncatedError, FrameVersionError } from '../errors';

/** Wire protocol version carried in every frame header. */
export const FRAME_VERSION = 1;
/** Bytes in a frame header: version, type, flags, reserved, id (u32), length (u32). */
export const FRAME_HEADER_BYTES = 12;
/** Default maximum payload of one frame: 4 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;
const MAX_METHOD_BYTES = 255;

/** Frame types of agentlink/1. */
export enum FrameType {
  Hello = 1,
  Request = 2,
  Response = 3,
  Error = 4,
  OneWay = 5,
  StreamData = 6,
  StreamEnd = 7,
  Cancel = 8,
  Credit = 9,
  GoAway = 10,
  /** QUIC only: the first frame of a lane, a stream that carries many small exchanges (quic-lanes.ts). */
  Lane = 11,
}
const LAST_FRAME_TYPE = FrameType.Lane;

/** Flag on a Request: the body follows as StreamData frames ended by StreamEnd. */
export const FLAG_STREAMING = 0x01;

/** One decoded frame. `payload` is a view into the decoder's buffer: copy it to keep it. */
export interface Frame {
  readonly type: FrameType;
  readonly flags: number;
  readonly id: number;
  readonly payload: Uint8Array;
}

/** Writes a 12-byte frame header; throws FrameTooLargeError when `length` exceeds the limit. */
export function encodeFrameHeader(
  type: FrameType,
  id: number,
  length: number,
  maxFrameBytes: number,
  flags = 0,
): Buffer {
  if (length > maxFrameBytes) throw new FrameTooLargeError(length, maxFrameBytes);
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header[0] = FRAME_VERSION;
  header[1] = type;
  header[2] = flags;
  header[3] = 0;
  header.writeUInt32BE(id >>> 0, 4);
  header.writeUInt32BE(length, 8);
  return header;
}

/**
 * Encodes one frame into a single buffer. `prefix` (a method name prefix) goes before the
 * payload without a separate copy of the two; throws FrameTooLargeError past the limit.
 */
export function encodeFrame(
  type: FrameType,
  id: number,
  payload: Uint8Array,
  maxFrameBytes: number,
  flags = 0,
  prefix?: Uint8Array,
): Buffer {
  const prefixBytes = prefix?.byteLength ?? 0;
  const length = prefixBytes + payload.byteLength;
  if (length > maxFrameBytes) throw new FrameTooLargeError(length, maxFrameBytes);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  out[0] = FRAME_VERSION;
  out[1] = type;
  out[2] = flags;
  out[3] = 0;
  out.writeUInt32BE(id >>> 0, 4);
  out.writeUInt32BE(length, 8);
  if (prefix !== undefined) out.set(prefix, FRAME_HEADER_BYTES);
  out.set(payload, FRAME_HEADER_BYTES + prefixBytes);
  return out;
}

const methodPrefixes = new Map<string, Buffer>();
const METHOD_CACHE_LIMIT = 1024;

/**
 * The start of a Request/OneWay payload: method name length (u8) and UTF-8 name. Cached for
 * the common names, because every request carries one.
 */
export function methodPrefix(method: string): Buffer {
  let prefix = methodPrefixes.get(method);
  if (prefix === undefined) {
    const name = Buffer.from(method, 'utf8');
    if (name.byteLength === 0 || name.byteLength > MAX_METHOD_BYTES) {
      throw new FrameMalformedError(`method name must be 1-${MAX_METHOD_BYTES} UTF-8 bytes, got ${name.byteLength}`);
    }
    prefix = Buffer.concat([Buffer.from([name.byteLength]), name]);
    if (methodPrefixes.size < METHOD_CACHE_LIMIT) methodPrefixes.set(method, prefix);
  }
  return prefix;
}

/** Payload of a Request or OneWay frame: method name (u8 length) then body. */
export function encodeMethodPayload(method: string, body: Uint8Array): Uint8Array {
  return Buffer.concat([methodPrefix(method), body]);
}

/** Splits a Request/OneWay payload into method and body. */
export function decodeMethodPayload(payload: Uint8Array): { method: string; body: Uint8Array } {
  const length = payload[0];
  if (payload.byteLength < 1 || length === 0 || length === undefined || 1 + length > payload.byteLength) {
    throw new FrameMalformedError('method name length is out of range');
  }
  const method = Buffer.from(payload.buffer, payload.byteOffset + 1, length).toString('utf8');
  return { method, body: payload.subarray(1 + length) };
}

/**
 * Reads the method name of Request/OneWay payloads like decodeMethodPayload, but hands back the
 * previous string when the name's bytes repeat (most requests on a connection name one method),
 * instead of decoding a new one each time. The body starts at `1 + payload[0]`.
 */
export class MethodNameReader {
  private lastBytes: Uint8Array = new Uint8Array(0);
  private lastName = '';

  read(payload: Uint8Array): string {
    const length = payload[0];
    if (length === undefined || length === 0 || 1 + length > payload.byteLength) {
      throw new FrameMalformedError('method name length is out of range');
    }
    const last = this.lastBytes;
    if (last.byteLength === length) {
      let same = true;
      for (let i = 0; i < length; i += 1) {
        if (payload[1 + i] !== last[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastName;
    }
    // A copy: payload may be a view into a buffer the decoder hands out again.
    this.lastBytes = Uint8Array.prototype.slice.call(payload, 1, 1 + length);
    this.lastName = Buffer.from(this.lastBytes.buffer, this.lastBytes.byteOffset, length).toString('utf8');
    return this.lastName;
  }
}

/** Payload of an Error frame: code (u8 length) then UTF-8 message. */
export function encodeErrorPayload(code: string, message: string): Uint8Array {
  return encodeMethodPayload(code.slice(0, MAX_METHOD_BYTES) || 'ERR_UNKNOWN', Buffer.from(message, 'utf8'));
}

/** Splits an Error payload into code and message. */
export function decodeErrorPayload(payload: Uint8Array): { code: string; message: string } {
  const { method, body } = decodeMethodPayload(payload);
  return { code: method, message: Buffer.from(body).toString('utf8') };
}

const NO_BYTES = Buffer.alloc(0);

/** Big-endian uint32 from any byte array (QUIC reads into a plain Uint8Array, not a Buffer). */
export function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset] as number) * 0x1000000 +
    (((bytes[offset + 1] as number) << 16) | ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number))
  );
}

/**
 * Checks the 12-byte frame header at `offset` (version, type, reserved byte, length against the
 * limit) and returns the payload length; throws the FrameError a decoder must close with.
 */
export function checkFrameHeader(bytes: Uint8Array, offset: number, maxFrameBytes: number): number {
  const version = bytes[offset];
  if (version !== FRAME_VERSION) throw new FrameVersionError(version ?? -1);
  const type = bytes[offset + 1] as number;
  if (type < FrameType.Hello || type > LAST_FRAME_TYPE) throw new FrameMalformedError(`unknown frame type ${type}`);
  if (bytes[offset + 3] !== 0) throw new FrameMalformedError('reserved header byte is not zero');
  const length = readUint32(bytes, offset + 8);
  if (length > maxFrameBytes) throw new FrameTooLargeError(length, maxFrameBytes);
  return length;
}

/**
 * Incremental decoder: feed it chunks as they arrive, get whole frames back. The declared length
 * is checked against the limit before any payload is buffered, so an oversize frame costs nothing.
 */
export class FrameDecoder {
  private buffer: Buffer = NO_BYTES;

  /**
   * @param copyPayloads copy each payload out of the input (default). Pass false only when the
   *   caller never reuses the chunks it pushes (node:net 'data' chunks are fresh buffers).
   */
  constructor(
    private readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
    private readonly copyPayloads = true,
  ) {}

  /** Bytes held while waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffer.byteLength;
  }

  /** Adds a chunk and returns every frame it completes; throws a FrameError on bad input. */
  push(chunk: Uint8Array): Frame[] {
    if (this.buffer.byteLength > 0) this.buffer = Buffer.concat([this.buffer, chunk]);
    else this.buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const frames: Frame[] = [];
    let offset = 0;
    while (this.buffer.byteLength - offset >= FRAME_HEADER_BYTES) {
      const length = checkFrameHeader(this.buffer, offset, this.maxFrameBytes);
      const end = offset + FRAME_HEADER_BYTES + length;
      if (this.buffer.byteLength < end) break;
      frames.push({
        type: this.buffer[offset + 1] as FrameType,
        flags: this.buffer[offset + 2] as number,
        id: this.buffer.readUInt32BE(offset + 4),
        payload: this.copyPayloads
          ? Uint8Array.prototype.slice.call(this.buffer, offset + FRAME_HEADER_BYTES, end)
          : this.buffer.subarray(offset + FRAME_HEADER_BYTES, end),
      });
      offset = end;
    }
    // Copy the remainder: the caller may reuse the chunk's memory once push() returns.
    this.buffer = this.buffer.byteLength === offset ? NO_BYTES : Buffer.from(this.buffer.subarray(offset));
    return frames;
  }

  /** Call at end of stream: throws FrameTruncatedError if a partial frame is left. */
  finish(): void {
    if (this.buffer.byteLength > 0) throw new FrameTruncatedError(this.buffer.byteLength);
  }
}
