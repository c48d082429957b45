/**
 * quiche through the napi binding that @matrixai/quic ships. Only this module names the binding,
 * so the rest of the endpoint depends on a few plain types.
 */
import { quiche } from '@matrixai/quic/native/index.js';
import type {
  Config as QuicheConfig,
  Connection as QuicheConnection,
  ConnectionError as QuicheConnectionError,
  Header as QuicheHeader,
  Host as QuicheHost,
} from '@matrixai/quic/native/index.js';

export { quiche };
export type { QuicheConfig, QuicheConnection, QuicheConnectionError, QuicheHeader, QuicheHost };

/** Connection ids we issue: quiche's maximum, so short headers parse with one fixed length. */
export const CID_LENGTH: number = quiche.MAX_CONN_ID_LEN;
/** The largest UDP payload we send (quiche's default, safe on any path without PMTU discovery). */
export const MAX_DATAGRAM_BYTES: number = quiche.MAX_DATAGRAM_SIZE;
/** A client's first Initial datagram must be at least this large (RFC 9000 §14.1). */
export const MIN_INITIAL_BYTES: number = quiche.MIN_CLIENT_INITIAL_LEN;
/** quiche's packet types, as numbers (the binding's const enum is not importable at run time). */
export const PacketType = {
  Initial: quiche.Type.Initial,
  Retry: quiche.Type.Retry,
  Handshake: quiche.Type.Handshake,
  ZeroRTT: quiche.Type.ZeroRTT,
  VersionNegotiation: quiche.Type.VersionNegotiation,
  Short: quiche.Type.Short,
} as const;
/** TLS alerts arrive as QUIC transport errors 0x100 + alert (RFC 9001 §4.8). */
export const CRYPTO_ERROR_START: number = quiche.CRYPTO_ERROR_START;
export const CRYPTO_ERROR_STOP: number = quiche.CRYPTO_ERROR_STOP;
