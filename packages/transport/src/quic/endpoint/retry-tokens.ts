import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a Retry token is accepted: a client answers a Retry within one round trip. */
export const RETRY_TOKEN_LIFETIME_MS = 10_000;
/** Keys rotate this often; the previous key still validates, so a token lives through one rotation. */
export const RETRY_KEY_ROTATION_MS = 60_000;

const MAC_BYTES = 32;
const EXPIRY_BYTES = 8;
const MAX_CID_BYTES = 20;

/**
 * Stateless Retry tokens (RFC 9000 §8.1.2): an HMAC-SHA256 over the client's address, the
 * original destination connection id and an expiry, keyed by a secret that rotates. Token
 * layout: expiry (8, ms since epoch) | odcid length (1) | odcid | mac (32).
 */
export class RetryTokens {
  private current = randomBytes(32);
  private previous: Buffer | undefined;
  private rotatedAt: number;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly lifetimeMs = RETRY_TOKEN_LIFETIME_MS,
    private readonly rotationMs = RETRY_KEY_ROTATION_MS,
  ) {
    this.rotatedAt = now();
  }

  /** A token for a client at `address` ("host:port") whose first Initial went to `odcid`. */
  mint(address: string, odcid: Uint8Array): Buffer {
    this.rotate();
    const head = Buffer.allocUnsafe(EXPIRY_BYTES + 1 + odcid.byteLength);
    head.writeBigUInt64BE(BigInt(this.now() + this.lifetimeMs), 0);
    head.writeUInt8(odcid.byteLength, EXPIRY_BYTES);
    head.set(odcid, EXPIRY_BYTES + 1);
    return Buffer.concat([head, this.mac(this.current, address, head)]);
  }

  /** The original destination connection id if `token` is ours, unexpired and for `address`; else undefined. */
  validate(address: string, token: Uint8Array): Buffer | undefined {
    this.rotate();
    if (token.byteLength < EXPIRY_BYTES + 1 + MAC_BYTES) return undefined;
    const bytes = Buffer.from(token.buffer, token.byteOffset, token.byteLength);
    const cidLength = bytes.readUInt8(EXPIRY_BYTES);
    const headLength = EXPIRY_BYTES + 1 + cidLength;
    if (cidLength > MAX_CID_BYTES || bytes.byteLength !== headLength + MAC_BYTES) return undefined;
    const head = bytes.subarray(0, headLength);
    const given = bytes.subarray(headLength);
    const known = [this.current, this.previous].some(
      (key) => key !== undefined && timingSafeEqual(this.mac(key, address, head), given),
    );
    if (!known || Number(bytes.readBigUInt64BE(0)) < this.now()) return undefined;
    return Buffer.from(head.subarray(EXPIRY_BYTES + 1));
  }

  private mac(key: Buffer, address: string, head: Buffer): Buffer {
    return createHmac('sha256', key).update(address).update('\0').update(head).digest();
  }

  private rotate(): void {
    if (this.now() - this.rotatedAt < this.rotationMs) return;
    // A key older than two periods would validate nothing current: drop both.
    this.previous = this.now() - this.rotatedAt < 2 * this.rotationMs ? this.current : undefined;
    this.current = randomBytes(32);
    this.rotatedAt = this.now();
  }
}
