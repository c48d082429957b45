import { readVarint, type PacketHeader } from './packet-header';
import { clientInitialKeys, openLongHeaderPacket } from './packet-protection';

const FRAME_PADDING = 0x00;
const FRAME_PING = 0x01;
const FRAME_CRYPTO = 0x06;
const HANDSHAKE_CLIENT_HELLO = 1;
/** type (1) + length (3) + legacy_version (2), then the 32-byte random (RFC 8446 §4.1.2). */
const RANDOM_OFFSET = 6;
const RANDOM_BYTES = 32;

/** Where the first packet's Length field ends and its protected part ends, for an Initial. */
function initialBounds(datagram: Buffer, header: PacketHeader): { pnOffset: number; end: number } | undefined {
  const token = header.token;
  if (token === undefined) return undefined;
  const tokenEnd = token.byteOffset - datagram.byteOffset + token.byteLength;
  const length = readVarint(datagram, tokenEnd);
  if (length === undefined) return undefined;
  return { pnOffset: length[1], end: length[1] + length[0] };
}

/** The ClientHello's random from the CRYPTO frame at offset 0 of a decrypted Initial payload. */
function randomOfPayload(payload: Buffer): Buffer | undefined {
  let offset = 0;
  while (offset < payload.byteLength) {
    const type = payload[offset] as number;
    if (type === FRAME_PADDING || type === FRAME_PING) {
      offset += 1;
      continue;
    }
    if (type !== FRAME_CRYPTO) return undefined; // a client's first Initial carries nothing else we need
    const cryptoOffset = readVarint(payload, offset + 1);
    const length = cryptoOffset === undefined ? undefined : readVarint(payload, cryptoOffset[1]);
    if (cryptoOffset === undefined || length === undefined) return undefined;
    const data = payload.subarray(length[1], length[1] + length[0]);
    if (cryptoOffset[0] === 0) {
      if (data[0] !== HANDSHAKE_CLIENT_HELLO || data.byteLength < RANDOM_OFFSET + RANDOM_BYTES) return undefined;
      return Buffer.from(data.subarray(RANDOM_OFFSET, RANDOM_OFFSET + RANDOM_BYTES));
    }
    offset = length[1] + length[0];
  }
  return undefined;
}

/**
 * The 32-byte random of the ClientHello in a client's first Initial datagram (QUIC v1), read by
 * removing the Initial protection, whose keys anyone can derive from the destination id. Unique
 * per connection attempt and bound to the PSK binder, so it identifies a replayed first flight.
 * Undefined when the datagram does not open or the ClientHello does not start in it.
 */
export function clientHelloRandom(datagram: Buffer, header: PacketHeader): Buffer | undefined {
  if (header.version !== 1) return undefined;
  const bounds = initialBounds(datagram, header);
  if (bounds === undefined) return undefined;
  const payload = openLongHeaderPacket(datagram, bounds.pnOffset, bounds.end, clientInitialKeys(header.dcid));
  return payload === undefined ? undefined : randomOfPayload(payload);
}
