/**
 * Reads the keyUsage extension (RFC 5280 4.2.1.3) from a certificate's DER, which node:crypto's
 * X509Certificate does not expose (its `keyUsage` is the *extended* key usage). A small DER walk
 * instead of a full ASN.1 parse: it runs on every handshake.
 */

/** keyUsage bits, by name; bit 0 is the most significant bit of the first byte. */
export interface KeyUsageBits {
  readonly digitalSignature: boolean;
  readonly keyCertSign: boolean;
  readonly cRLSign: boolean;
}

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

function readTlv(der: Uint8Array, offset: number): Tlv {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined) throw new RangeError('DER ends inside a header');
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) throw new RangeError('unsupported DER length');
    length = 0;
    for (let i = 0; i < octets; i += 1) length = length * 256 + (der[start + i] ?? 0);
    start += octets;
  }
  const end = start + length;
  if (end > der.length) throw new RangeError('DER value runs past the end');
  return { tag, start, end };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const result: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readTlv(der, offset);
    result.push(child);
    offset = child.end;
  }
  return result;
}

/** DER of OID 2.5.29.15 (id-ce-keyUsage) without its tag and length. */
const KEY_USAGE_OID = [0x55, 0x1d, 0x0f];
const SEQUENCE = 0x30;
const EXTENSIONS_TAG = 0xa3;

function isKeyUsageOid(der: Uint8Array, oid: Tlv): boolean {
  return oid.tag === 0x06 && oid.end - oid.start === 3 && KEY_USAGE_OID.every((byte, i) => der[oid.start + i] === byte);
}

/** The keyUsage bits of a DER certificate, or undefined when it has no keyUsage extension. */
export function readKeyUsage(certificateDer: Uint8Array): KeyUsageBits | undefined {
  const certificate = readTlv(certificateDer, 0);
  const tbs = children(certificateDer, certificate)[0];
  if (certificate.tag !== SEQUENCE || tbs?.tag !== SEQUENCE) throw new RangeError('not a DER certificate');
  const extensions = children(certificateDer, tbs).find((field) => field.tag === EXTENSIONS_TAG);
  if (extensions === undefined) return undefined;
  const list = children(certificateDer, extensions)[0];
  if (list === undefined) return undefined;
  for (const extension of children(certificateDer, list)) {
    const [oid, ...rest] = children(certificateDer, extension);
    if (oid === undefined || !isKeyUsageOid(certificateDer, oid)) continue;
    const value = rest[rest.length - 1];
    if (value === undefined || value.tag !== 0x04) throw new RangeError('keyUsage extension without a value');
    const bits = readTlv(certificateDer, value.start);
    const first = bits.end - bits.start > 1 ? (certificateDer[bits.start + 1] ?? 0) : 0;
    return { digitalSignature: (first & 0x80) !== 0, keyCertSign: (first & 0x04) !== 0, cRLSign: (first & 0x02) !== 0 };
  }
  return undefined;
}
