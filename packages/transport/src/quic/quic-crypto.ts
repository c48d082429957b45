import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';
import type { ClientCryptoOps, ServerCryptoOps } from '@matrixai/quic';

/** Random bytes for QUIC connection ids (client side). */
export const clientCryptoOps: ClientCryptoOps = {
  randomBytes: async (data: ArrayBuffer): Promise<void> => {
    randomFillSync(new Uint8Array(data));
  },
};

/** HMAC-SHA256 that signs and checks the server's stateless Retry tokens and connection ids. */
export const serverCryptoOps: ServerCryptoOps = {
  sign: async (key: ArrayBuffer, data: ArrayBuffer): Promise<ArrayBuffer> => {
    const digest = createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest();
    return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
  },
  verify: async (key: ArrayBuffer, data: ArrayBuffer, signature: ArrayBuffer): Promise<boolean> => {
    const expected = createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest();
    const given = Buffer.from(signature);
    return given.byteLength === expected.byteLength && timingSafeEqual(given, expected);
  },
};

/** A fresh 32-byte HMAC key for one server. */
export function createServerKey(): ArrayBuffer {
  const key = new Uint8Array(32);
  randomFillSync(key);
  return key.buffer;
}
