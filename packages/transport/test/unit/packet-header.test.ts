import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { quiche } from '../../src/quic/endpoint/native';
import { parsePacketHeader } from '../../src/quic/endpoint/packet-header';

const long = (first: number, version: number, dcid: Buffer, scid: Buffer, rest: Buffer): Buffer =>
  Buffer.concat([
    Buffer.from([first]),
    Buffer.from([version >>> 24, (version >>> 16) & 255, (version >>> 8) & 255, version & 255]),
    Buffer.from([dcid.length]),
    dcid,
    Buffer.from([scid.length]),
    scid,
    rest,
  ]);

describe('parsePacketHeader (our header parser, instead of the leaking Header.fromSlice)', () => {
  const cases: Array<[string, Buffer]> = [
    [
      'Initial with a token',
      long(
        0xc3,
        1,
        randomBytes(8),
        randomBytes(8),
        Buffer.concat([Buffer.from([0x40, 24]), randomBytes(24), Buffer.from([0x44, 0]), randomBytes(1100)]),
      ),
    ],
    [
      'Initial without a token',
      long(0xc0, 1, randomBytes(20), randomBytes(0), Buffer.concat([Buffer.from([0, 0x41, 0]), randomBytes(300)])),
    ],
    ['0-RTT', long(0xd1, 1, randomBytes(20), randomBytes(20), randomBytes(100))],
    ['Handshake', long(0xe2, 1, randomBytes(8), randomBytes(20), randomBytes(100))],
    ['Retry', long(0xf0, 1, randomBytes(8), randomBytes(20), randomBytes(40))],
    ['Version Negotiation', long(0x80, 0, randomBytes(8), randomBytes(8), randomBytes(8))],
    ['short header', Buffer.concat([Buffer.from([0x41]), randomBytes(20), randomBytes(60)])],
  ];

  it.each(cases)('reads a %s header as quiche does', (_label, packet) => {
    const ours = parsePacketHeader(packet);
    const theirs = quiche.Header.fromSlice(packet, 20);
    expect(ours).toBeDefined();
    expect(ours!.ty).toBe(theirs.ty);
    expect(Buffer.from(ours!.dcid)).toEqual(Buffer.from(theirs.dcid));
    if (theirs.ty !== quiche.Type.Short) expect(Buffer.from(ours!.scid)).toEqual(Buffer.from(theirs.scid));
    if (theirs.ty !== quiche.Type.Short) expect(ours!.version).toBe(theirs.version);
    if (theirs.ty === quiche.Type.Initial) expect(Buffer.from(ours!.token!)).toEqual(Buffer.from(theirs.token ?? []));
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['a short header cut inside its connection id', Buffer.from([0x41, 1, 2, 3])],
    [
      'a long header cut inside its connection id',
      long(0xc0, 1, randomBytes(20), randomBytes(8), Buffer.alloc(0)).subarray(0, 12),
    ],
    ['a v1 connection id over 20 bytes', long(0xe0, 1, randomBytes(21), randomBytes(8), randomBytes(40))],
    [
      'an Initial whose token runs past the end',
      long(0xc0, 1, randomBytes(8), randomBytes(8), Buffer.from([0x40, 200, 1, 2])),
    ],
  ])('refuses %s', (_label, packet) => {
    expect(parsePacketHeader(packet)).toBeUndefined();
  });
});
