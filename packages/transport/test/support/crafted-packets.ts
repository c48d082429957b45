import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { headerMask, packetKeys, packetNonce, type PacketKeys } from '../../src/quic/endpoint/packet-protection';

/** The client's 1-RTT keys from an NSS key log quiche wrote (CLIENT_TRAFFIC_SECRET_0). */
export function clientOneRttKeys(keylogPath: string): PacketKeys | undefined {
  const line = readFileSync(keylogPath, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0 '));
  const secret = line?.split(' ')[2];
  return secret === undefined ? undefined : packetKeys(Buffer.from(secret, 'hex'));
}

const varint = (value: number): Buffer => {
  if (value < 64) return Buffer.from([value]);
  if (value < 16384) return Buffer.from([0x40 | (value >> 8), value & 0xff]);
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  bytes[0] = (bytes[0] as number) | 0x80;
  return bytes;
};

/** A STREAM frame (RFC 9000 §19.8) with explicit length and FIN, at offset 0. */
export function streamFrame(streamId: number, data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0x0b]), varint(streamId), varint(data.byteLength), data]);
}

/**
 * A 1-RTT (short-header) packet protected as RFC 9001 §5 says: AES-128-GCM over the payload with
 * the header as associated data, then header protection (AES-ECB mask over a 16-byte sample).
 * Key phase 0, a 4-byte packet number. Node's crypto only: no QUIC stack in the loop.
 */
export function sealShortHeaderPacket(
  keys: PacketKeys,
  dcid: Uint8Array,
  packetNumber: number,
  payload: Buffer,
): Buffer {
  const pnLength = 4;
  const header = Buffer.concat([Buffer.from([0x40 | (pnLength - 1)]), dcid, Buffer.alloc(pnLength)]);
  header.writeUInt32BE(packetNumber >>> 0, header.byteLength - pnLength);
  // The sample needs 16 bytes starting 4 bytes after the packet number's start: pad the payload.
  const padded = payload.byteLength >= 4 ? payload : Buffer.concat([payload, Buffer.alloc(4 - payload.byteLength)]);
  const cipher = createCipheriv('aes-128-gcm', keys.key, packetNonce(keys.iv, packetNumber));
  cipher.setAAD(header);
  const sealed = Buffer.concat([cipher.update(padded), cipher.final(), cipher.getAuthTag()]);
  const packet = Buffer.concat([header, sealed]);
  const pnOffset = header.byteLength - pnLength;
  const mask = headerMask(keys.hp, packet.subarray(pnOffset + 4, pnOffset + 4 + 16));
  packet[0] = (packet[0] as number) ^ ((mask[0] as number) & 0x1f);
  for (let i = 0; i < pnLength; i += 1) {
    packet[pnOffset + i] = (packet[pnOffset + i] as number) ^ (mask[1 + i] as number);
  }
  return packet;
}
