/**
 * Reads the keyUsage and basicConstraints extensions (RFC 5280 4.2.1.3, 4.2.1.9) from a
 * certificate's DER. node:crypto's X509Certificate does not expose them as written: its
 * `keyUsage` is the *extended* key usage, and its `ca` is OpenSSL's X509_check_ca(), false for
 * a cA=TRUE certificate without keyCertSign. A small DER walk instead of a full ASN.1 parse:
 * it runs on every handshake.
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
  for (let offset = parent.start; offset < parent.end;) {
    const child = readTlv(der, offset);
    result.push(child);
    offset = child.end;
  }
  return result;
}

/** DER of OIDs 2.5.29.15 (id-ce-keyUsage) and 2.5.29.19 (id-ce-basicConstraints), without tag and length. */
const KEY_USAGE_OID = [0x55, 0x1d, 0x0f];
const BASIC_CONSTRAINTS_OID = [0x55, 0x1d, 0x13];
const SEQUENCE = 0x30;
const BOOLEAN = 0x01;
const OCTET_STRING = 0x04;
const EXTENSIONS_TAG = 0xa3;

function isOid(der: Uint8Array, oid: Tlv, expected: readonly number[]): boolean {
  return (
    oid.tag === 0x06 &&
    oid.end - oid.start === expected.length &&
    expected.every((byte, i) => der[oid.start + i] === byte)
  );
}

/** The DER value (inside its OCTET STRING) of extension `oid`, or undefined when absent. */
function extensionValue(der: Uint8Array, oid: readonly number[]): Tlv | undefined {
  const certificate = readTlv(der, 0);
  const tbs = children(der, certificate)[0];
  if (certificate.tag !== SEQUENCE || tbs?.tag !== SEQUENCE) throw new RangeError('not a DER certificate');
  const extensions = children(der, tbs).find((field) => field.tag === EXTENSIONS_TAG);
  const list = extensions === undefined ? undefined : children(der, extensions)[0];
  if (list === undefined) return undefined;
  for (const extension of children(der, list)) {
    const [id, ...rest] = children(der, extension);
    if (id === undefined || !isOid(der, id, oid)) continue;
    const value = rest[rest.length - 1];
    if (value === undefined || value.tag !== OCTET_STRING) throw new RangeError('extension without a value');
    return readTlv(der, value.start);
  }
  return undefined;
}

/** The keyUsage bits of a DER certificate, or undefined when it has no keyUsage extension. */
export function readKeyUsage(certificateDer: Uint8Array): KeyUsageBits | undefined {
  const bits = extensionValue(certificateDer, KEY_USAGE_OID);
  if (bits === undefined) return undefined;
  const first = bits.end - bits.start > 1 ? (certificateDer[bits.start + 1] ?? 0) : 0;
  return { digitalSignature: (first & 0x80) !== 0, keyCertSign: (first & 0x04) !== 0, cRLSign: (first & 0x02) !== 0 };
}

/** The cA flag of basicConstraints as written (false when the extension is absent). */
export function readBasicConstraintsCa(certificateDer: Uint8Array): boolean {
  const constraints = extensionValue(certificateDer, BASIC_CONSTRAINTS_OID);
  if (constraints === undefined || constraints.tag !== SEQUENCE) return false;
  const flag = children(certificateDer, constraints)[0];
  return flag?.tag === BOOLEAN && flag.end > flag.start && certificateDer[flag.start] !== 0;
}
