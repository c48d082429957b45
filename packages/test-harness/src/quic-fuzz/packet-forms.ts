import type { SeededRandom } from './seeded-random';

/** The QUIC packet forms of RFC 9000 §17 the fuzzer builds. */
export type PacketForm = 'initial' | 'zero-rtt' | 'handshake' | 'retry' | 'version-negotiation' | 'short';

export const PACKET_FORMS: readonly PacketForm[] = [
  'initial',
  'zero-rtt',
  'handshake',
  'retry',
  'version-negotiation',
  'short',
];

/** Fields of one packet; anything left out is chosen at random. */
export interface PacketFields {
  readonly version: number;
  readonly dcid: Buffer;
  readonly scid: Buffer;
  readonly token: Buffer;
  /** The Length field's value (may lie about the payload). */
  readonly length: number;
  readonly payload: Buffer;
}

const LONG_TYPE: Record<'initial' | 'zero-rtt' | 'handshake' | 'retry', number> = {
  initial: 0,
  'zero-rtt': 1,
  handshake: 2,
  retry: 3,
};

/** A QUIC variable-length integer (RFC 9000 §16); values above 2^62 are clamped. */
export function varint(value: number): Buffer {
  if (value < 0x40) return Buffer.from([value]);
  if (value < 0x4000) return Buffer.from([0x40 | (value >> 8), value & 0xff]);
  if (value < 0x40000000) {
    const out = Buffer.allocUnsafe(4);
    out.writeUInt32BE(value >>> 0);
    out[0] = (out[0] as number) | 0x80;
    return out;
  }
  const out = Buffer.allocUnsafe(8);
  out.writeBigUInt64BE(BigInt(Math.min(value, 2 ** 62 - 1)));
  out[0] = (out[0] as number) | 0xc0;
  return out;
}

const u32 = (value: number): Buffer => {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value >>> 0);
  return out;
};

const withLength = (cid: Buffer): Buffer => Buffer.concat([Buffer.from([cid.byteLength & 0xff]), cid]);

/** Builds one packet of `form` from `fields` (header protection and AEAD are not applied: payloads are junk). */
export function buildPacket(form: PacketForm, fields: PacketFields, random: SeededRandom): Buffer {
  switch (form) {
    case 'short':
      return Buffer.concat([Buffer.from([0x40 | random.int(0x40)]), fields.dcid, fields.payload]);
    case 'version-negotiation': {
      const versions = fields.payload.subarray(0, fields.payload.byteLength - (fields.payload.byteLength % 4));
      return Buffer.concat([
        Buffer.from([0x80 | random.int(0x80)]),
        u32(0),
        withLength(fields.dcid),
        withLength(fields.scid),
        versions,
      ]);
    }
    case 'retry':
      return Buffer.concat([
        Buffer.from([0xc0 | (LONG_TYPE.retry << 4) | random.int(16)]),
        u32(fields.version),
        withLength(fields.dcid),
        withLength(fields.scid),
        fields.token,
        random.bytes(16), // integrity tag
      ]);
    default: {
      const first = 0xc0 | (LONG_TYPE[form] << 4) | random.int(16);
      const token =
        form === 'initial' ? Buffer.concat([varint(fields.token.byteLength), fields.token]) : Buffer.alloc(0);
      return Buffer.concat([
        Buffer.from([first]),
        u32(fields.version),
        withLength(fields.dcid),
        withLength(fields.scid),
        token,
        varint(fields.length),
        fields.payload,
      ]);
    }
  }
}
