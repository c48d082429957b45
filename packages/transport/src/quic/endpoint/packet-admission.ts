import { randomConnectionId } from './connection-ids';
import { CID_LENGTH, MAX_DATAGRAM_BYTES, MIN_INITIAL_BYTES, PacketType, quiche } from './native';
import type { PacketHeader } from './packet-header';
import type { RetryTokens } from './retry-tokens';

/** What a listener does with a datagram whose destination connection id it does not know. */
export type Admission =
  | { readonly kind: 'drop'; readonly why: string }
  | { readonly kind: 'reply'; readonly why: 'version-negotiation' | 'retry'; readonly datagram: Buffer }
  | { readonly kind: 'accept'; readonly scid: Buffer; readonly odcid: Buffer | undefined };

/** RFC 9000 §7.2: a client's first destination connection id has at least 8 bytes. */
const MIN_CLIENT_DCID_BYTES = 8;

/**
 * The stateless part of a listener (RFC 9000 §5.2.2, §6, §8.1): only a full-size Initial of a
 * supported version may create state; an unsupported version gets a Version Negotiation packet;
 * with Retry on, a first Initial gets a Retry and only a valid token creates a connection.
 * Everything else is dropped without an answer (no amplification, no state).
 */
export function admitDatagram(
  header: PacketHeader,
  datagramBytes: number,
  address: string,
  retry: RetryTokens | undefined,
): Admission {
  const serverOnly = header.ty === PacketType.Retry || header.ty === PacketType.VersionNegotiation;
  if (header.ty === PacketType.Short || serverOnly) {
    return { kind: 'drop', why: 'no connection for this short-header or server-only packet' };
  }
  // Never answer a small datagram: the answer could be larger than the probe (amplification).
  if (datagramBytes < MIN_INITIAL_BYTES) return { kind: 'drop', why: 'long-header datagram below 1200 bytes' };
  if (!quiche.versionIsSupported(header.version)) {
    const out = Buffer.allocUnsafe(MAX_DATAGRAM_BYTES);
    const length = quiche.negotiateVersion(header.scid, header.dcid, out);
    return { kind: 'reply', why: 'version-negotiation', datagram: out.subarray(0, length) };
  }
  if (header.ty !== PacketType.Initial) return { kind: 'drop', why: '0-RTT or Handshake packet for no connection' };
  if (header.dcid.byteLength < MIN_CLIENT_DCID_BYTES) {
    return { kind: 'drop', why: 'client connection id below 8 bytes' };
  }
  if (retry === undefined) return { kind: 'accept', scid: randomConnectionId(), odcid: undefined };
  const token = header.token;
  if (token === undefined || token.byteLength === 0) {
    const scid = randomConnectionId();
    const out = Buffer.allocUnsafe(MAX_DATAGRAM_BYTES);
    const minted = retry.mint(address, header.dcid);
    const length = quiche.retry(header.scid, header.dcid, scid, minted, header.version, out);
    return { kind: 'reply', why: 'retry', datagram: out.subarray(0, length) };
  }
  const odcid = retry.validate(address, token);
  // An invalid token: drop (a client with a stale token starts over after its timeout).
  if (odcid === undefined) return { kind: 'drop', why: 'invalid or expired Retry token' };
  // After a Retry the client addresses us by the connection id we chose in it.
  if (header.dcid.byteLength !== CID_LENGTH) {
    return { kind: 'drop', why: 'Retry answer to a connection id we did not issue' };
  }
  return { kind: 'accept', scid: Buffer.from(header.dcid), odcid };
}
