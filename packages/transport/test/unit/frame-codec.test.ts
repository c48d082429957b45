import { describe, expect, it } from '@jest/globals';
import {
  FrameError,
  FrameMalformedError,
  FrameTooLargeError,
  FrameTruncatedError,
  FrameVersionError,
} from '../../src/errors';
import {
  decodeErrorPayload,
  decodeMethodPayload,
  encodeErrorPayload,
  encodeFrame,
  encodeFrameHeader,
  encodeMethodPayload,
  methodPrefix,
  FrameDecoder,
  FrameType,
  MethodNameReader,
} from '../../src/frame/frame-codec';

describe('frame codec', () => {
  it('round-trips frames split at every byte boundary', () => {
    const a = encodeFrame(FrameType.Request, 7, encodeMethodPayload('echo', Buffer.from('hi')), 1024);
    const b = encodeFrame(FrameType.Response, 7, Buffer.from('there'), 1024, 1);
    const wire = Buffer.concat([a, b]);
    for (let split = 0; split <= wire.byteLength; split += 1) {
      const decoder = new FrameDecoder(1024);
      const frames = [...decoder.push(wire.subarray(0, split)), ...decoder.push(wire.subarray(split))];
      expect(frames.map((f) => [f.type, f.id, f.flags])).toEqual([
        [FrameType.Request, 7, 0],
        [FrameType.Response, 7, 1],
      ]);
      expect(decodeMethodPayload(frames[0]!.payload)).toEqual({
        method: 'echo',
        body: new Uint8Array(Buffer.from('hi')),
      });
      decoder.finish();
    }
  });

  it('encodes a method prefix in place and can decode without copying', () => {
    const frame = encodeFrame(FrameType.OneWay, 3, Buffer.from('body'), 64, 0, methodPrefix('note'));
    expect(frame).toEqual(encodeFrame(FrameType.OneWay, 3, encodeMethodPayload('note', Buffer.from('body')), 64));
    const [decoded] = new FrameDecoder(64, false).push(frame);
    expect(decodeMethodPayload(decoded!.payload)).toEqual({
      method: 'note',
      body: new Uint8Array(Buffer.from('body')),
    });
    expect(decoded!.payload.buffer).toBe(frame.buffer);
    expect(encodeFrameHeader(FrameType.Cancel, 1, 0, 64)).toHaveLength(12);
    expect(() => encodeFrame(FrameType.OneWay, 3, new Uint8Array(60), 64, 0, methodPrefix('note'))).toThrow(
      FrameTooLargeError,
    );
    expect(() => methodPrefix('x'.repeat(300))).toThrow(FrameMalformedError);
  });

  it('refuses an oversize frame from its header, before buffering the payload', () => {
    const decoder = new FrameDecoder(16);
    const header = encodeFrame(FrameType.Response, 1, new Uint8Array(17), 1024).subarray(0, 12);
    expect(() => decoder.push(header)).toThrow(FrameTooLargeError);
    expect(() => encodeFrame(FrameType.Response, 1, new Uint8Array(17), 16)).toThrow(FrameTooLargeError);
  });

  it('types every malformation', () => {
    const good = encodeFrame(FrameType.Response, 1, new Uint8Array(1), 64);
    expect(() => new FrameDecoder().push(Buffer.concat([Buffer.from([9]), good.subarray(1)]))).toThrow(
      FrameVersionError,
    );
    const badType = Buffer.from(good);
    badType[1] = 200;
    expect(() => new FrameDecoder().push(badType)).toThrow(FrameMalformedError);
    const reserved = Buffer.from(good);
    reserved[3] = 1;
    expect(() => new FrameDecoder().push(reserved)).toThrow(FrameMalformedError);
    const truncated = new FrameDecoder();
    truncated.push(good.subarray(0, 5));
    expect(() => truncated.finish()).toThrow(FrameTruncatedError);
    expect(() => decodeMethodPayload(new Uint8Array([5, 1]))).toThrow(FrameMalformedError);
    expect(() => encodeMethodPayload('', new Uint8Array(0))).toThrow(FrameMalformedError);
    expect(decodeErrorPayload(encodeErrorPayload('ERR_X', 'why'))).toEqual({ code: 'ERR_X', message: 'why' });
  });

  it('reads method names, reusing the string only when the bytes repeat', () => {
    const reader = new MethodNameReader();
    const wire = Buffer.from(encodeMethodPayload('echo', Buffer.from('body')));
    const first = reader.read(wire);
    expect(first).toBe('echo');
    // The same memory rewritten with another name of the same length is not mistaken for it.
    wire.set(Buffer.from('ecHo'), 1);
    expect(reader.read(wire)).toBe('ecHo');
    expect(reader.read(encodeMethodPayload('ecHo', new Uint8Array(0)))).toBe('ecHo');
    expect(reader.read(encodeMethodPayload('größe', new Uint8Array(1)))).toBe('größe');
    expect(reader.read(encodeMethodPayload('echo', new Uint8Array(0)))).toBe(first);
    expect(() => reader.read(new Uint8Array([5, 1]))).toThrow(FrameMalformedError);
    expect(() => reader.read(new Uint8Array([0]))).toThrow(FrameMalformedError);
    expect(() => reader.read(new Uint8Array(0))).toThrow(FrameMalformedError);
  });

  it('survives 10,000 random inputs, throwing only typed frame errors', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let typed = 0;
    for (let i = 0; i < 10_000; i += 1) {
      const length = Math.floor(random() * 64);
      const bytes = Buffer.alloc(length);
      for (let j = 0; j < length; j += 1) bytes[j] = Math.floor(random() * 256);
      if (random() < 0.5 && length > 0) bytes[0] = 1; // valid version more often, to reach deeper checks
      const decoder = new FrameDecoder(32);
      try {
        decoder.push(bytes);
        decoder.finish();
      } catch (error) {
        expect(error).toBeInstanceOf(FrameError);
        typed += 1;
      }
    }
    expect(typed).toBeGreaterThan(5000);
  });
});
