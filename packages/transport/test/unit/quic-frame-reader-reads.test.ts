import { describe, expect, it } from '@jest/globals';
import { encodeFrame, FrameType, type Frame } from '../../src/frame/frame-codec';
import { QuicFrameReader, type StreamSource } from '../../src/quic/quic-frame-reader';

/** A stream's bytes as quiche hands them out: as much as fits, [0, fin] never, null (Done) when empty. */
function streamOf(bytes: Uint8Array, fin: boolean): StreamSource & { reads: number; dones: number } {
  let offset = 0;
  return {
    reads: 0,
    dones: 0,
    streamRecv(_id: number, into: Uint8Array) {
      this.reads += 1;
      if (offset === bytes.byteLength) {
        this.dones += 1;
        return null;
      }
      const n = Math.min(into.byteLength, bytes.byteLength - offset);
      into.set(bytes.subarray(offset, offset + n));
      offset += n;
      return [n, fin && offset === bytes.byteLength];
    },
  };
}

const frame = (id: number, size: number): Buffer =>
  encodeFrame(FrameType.Request, id, new Uint8Array(size).fill(id), 1 << 20);

describe('QuicFrameReader reads (each streamRecv is a napi call)', () => {
  it('reads once when quiche hands over less than the buffer holds: the stream is drained for now', () => {
    const source = streamOf(frame(1, 64), false);
    const frames: Frame[] = [];
    const reader = new QuicFrameReader(1 << 20);
    const outcome = reader.read(source, 0, new Uint8Array(4096), (f) => frames.push(f), () => true);
    expect(outcome).toBe('blocked');
    expect(source.reads).toBe(1);
    expect(source.dones).toBe(0);
    expect(frames.map((f) => [f.id, f.payload.byteLength])).toEqual([[1, 64]]);
  });

  it('reads again while a read fills the buffer, and delivers every frame whole', () => {
    // 3 x 42 bytes through a 64-byte buffer: frame 1 and the start of 2, the rest of 2 into its own
    // buffer (filling it: read on), then frame 3, which leaves room.
    const wire = Buffer.concat([frame(1, 30), frame(2, 30), frame(3, 30)]);
    const source = streamOf(wire, false);
    const frames: Frame[] = [];
    new QuicFrameReader(1 << 20).read(source, 0, new Uint8Array(64), (f) => frames.push(f), () => true);
    expect(source.reads).toBe(3);
    expect(source.dones).toBe(0);
    expect(frames.map((f) => f.id)).toEqual([1, 2, 3]);
    expect(frames.every((f) => f.payload.byteLength === 30 && f.payload.every((b) => b === f.id))).toBe(true);
  });

  it('hands out payloads that are copies: reusing the shared buffer does not change them', () => {
    const scratch = new Uint8Array(4096);
    const frames: Frame[] = [];
    new QuicFrameReader(1 << 20).read(streamOf(frame(7, 20), true), 0, scratch, (f) => frames.push(f), () => true);
    scratch.fill(0);
    expect([...(frames[0]?.payload ?? [])]).toEqual(new Array(20).fill(7));
  });
});
