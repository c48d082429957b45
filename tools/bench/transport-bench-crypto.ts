import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';
import type { ClientCryptoOps, ServerCryptoOps } from '@matrixai/quic';

/** The same HMAC-SHA256 / randomFill crypto ops @agentlink/transport uses, for the raw QUIC floor. */
export const transportBenchCrypto = {
  serverKey(): ArrayBuffer {
    const key = new Uint8Array(32);
    randomFillSync(key);
    return key.buffer;
  },
  clientOps: {
    randomBytes: async (data: ArrayBuffer): Promise<void> => {
      randomFillSync(new Uint8Array(data));
    },
  } satisfies ClientCryptoOps,
  serverOps: {
    sign: async (key: ArrayBuffer, data: ArrayBuffer): Promise<ArrayBuffer> => {
      const digest = createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest();
      return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
    },
    verify: async (key: ArrayBuffer, data: ArrayBuffer, signature: ArrayBuffer): Promise<boolean> => {
      const expected = createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest();
      const given = Buffer.from(signature);
      return given.byteLength === expected.byteLength && timingSafeEqual(given, expected);
    },
  } satisfies ServerCryptoOps,
};
