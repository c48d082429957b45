import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

/** QUIC v1's Initial salt (RFC 9001 §5.2). */
const INITIAL_SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const TAG_BYTES = 16;
const SAMPLE_BYTES = 16;

/** AES-128-GCM packet protection keys of one direction and level (RFC 9001 §5.1). */
export interface PacketKeys {
  readonly key: Buffer;
  readonly iv: Buffer;
  readonly hp: Buffer;
}

function hkdfExtract(salt: Buffer, ikm: Buffer): Buffer {
  return createHmac('sha256', salt).update(ikm).digest();
}

/** HKDF-Expand-Label of TLS 1.3 (RFC 8446 §7.1) with an empty context, SHA-256. */
export function hkdfExpandLabel(secret: Buffer, label: string, length: number): Buffer {
  const name = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, name.byteLength]), name, Buffer.from([0])]);
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; blocks.length * 32 < length; i += 1) {
    previous = createHmac('sha256', secret)
      .update(Buffer.concat([previous, info, Buffer.from([i])]))
      .digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** Key, IV and header-protection key from a traffic secret (AES-128-GCM suites). */
export function packetKeys(secret: Buffer): PacketKeys {
  return {
    key: hkdfExpandLabel(secret, 'quic key', 16),
    iv: hkdfExpandLabel(secret, 'quic iv', 12),
    hp: hkdfExpandLabel(secret, 'quic hp', 16),
  };
}

/** The client's Initial keys for a first destination connection id (public to anyone on the path). */
export function clientInitialKeys(dcid: Buffer): PacketKeys {
  return packetKeys(hkdfExpandLabel(hkdfExtract(INITIAL_SALT_V1, dcid), 'client in', 32));
}

/** The header-protection mask for the 16-byte sample that starts 4 bytes after the packet number. */
export function headerMask(hp: Buffer, sample: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ecb', hp, null);
  cipher.setAutoPadding(false);
  return cipher.update(sample);
}

/** The AEAD nonce: the IV XOR the full packet number, right-aligned (RFC 9001 §5.3). */
export function packetNonce(iv: Buffer, packetNumber: number): Buffer {
  const nonce = Buffer.from(iv);
  for (let i = 0, pn = packetNumber; i < 6; i += 1, pn = Math.floor(pn / 256)) {
    nonce[nonce.byteLength - 1 - i] = (nonce[nonce.byteLength - 1 - i] as number) ^ (pn & 0xff);
  }
  return nonce;
}

/**
 * Opens a long-header packet whose packet number starts at `pnOffset` and whose protected part
 * ends at `end` (the Length field): the plaintext payload, or undefined when it does not decrypt.
 * Works on a copy; `packet` is left as received. The packet number is taken as sent (no
 * expansion: this is for a connection's first packets).
 */
export function openLongHeaderPacket(
  packet: Buffer,
  pnOffset: number,
  end: number,
  keys: PacketKeys,
): Buffer | undefined {
  if (pnOffset + 4 + SAMPLE_BYTES > end || end > packet.byteLength) return undefined;
  const header = Buffer.from(packet.subarray(0, pnOffset + 4));
  const mask = headerMask(keys.hp, packet.subarray(pnOffset + 4, pnOffset + 4 + SAMPLE_BYTES));
  header[0] = (header[0] as number) ^ ((mask[0] as number) & 0x0f);
  const pnLength = ((header[0] as number) & 0x03) + 1;
  let packetNumber = 0;
  for (let i = 0; i < pnLength; i += 1) {
    header[pnOffset + i] = (header[pnOffset + i] as number) ^ (mask[1 + i] as number);
    packetNumber = packetNumber * 256 + (header[pnOffset + i] as number);
  }
  const payloadStart = pnOffset + pnLength;
  if (end - payloadStart < TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-128-gcm', keys.key, packetNonce(keys.iv, packetNumber));
    decipher.setAAD(header.subarray(0, payloadStart));
    decipher.setAuthTag(packet.subarray(end - TAG_BYTES, end));
    return Buffer.concat([decipher.update(packet.subarray(payloadStart, end - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}
