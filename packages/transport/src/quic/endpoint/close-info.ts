import type { QuicheConnection, QuicheConnectionError } from './native';

/** Who ended a QUIC connection and with which code (RFC 9000 §10.2, §20). */
export interface QuicCloseInfo {
  /** 'local': we closed it (or our TLS refused the peer); 'peer': its CONNECTION_CLOSE; 'idle': the idle timeout. */
  readonly by: 'local' | 'peer' | 'idle';
  /** Application close (our codes) rather than a transport or TLS error. */
  readonly isApp: boolean;
  readonly errorCode: number;
  /** The reason phrase, decoded as UTF-8 (may be empty). */
  readonly reason: string;
}

/** Application error codes we send (CONNECTION_CLOSE 0x1d, RESET_STREAM, STOP_SENDING). */
export const AppCode = {
  /** A graceful close by either side. */
  NoError: 0x00,
  /** An exchange was cancelled (stream reset / stop sending). */
  Cancelled: 0x01,
  /** A stream kind we do not use (peer-opened unidirectional streams). */
  StreamRefused: 0x02,
  /** The peer broke the agentlink/1 framing on some stream. */
  ProtocolError: 0x03,
  /** The peer's certificate passed TLS but not our identity/policy checks. */
  PeerRefused: 0x0a,
  /** The endpoint is shutting down or did not finish the handshake in time. */
  Shutdown: 0x0b,
} as const;

/** Transport error code quiche reports when a connection times out without a CONNECTION_CLOSE. */
export const QUIC_INTERNAL_ERROR = 0x01;

const decoder = new TextDecoder();

/** Why quiche's connection is closing: our error, the peer's, the idle timeout, or a plain local close. */
export function closeInfoOf(native: QuicheConnection): QuicCloseInfo {
  const local = native.localError();
  const peer = native.peerError();
  const describe = (by: 'local' | 'peer', error: QuicheConnectionError): QuicCloseInfo => ({
    by,
    isApp: error.isApp,
    errorCode: error.errorCode,
    reason: decoder.decode(error.reason),
  });
  if (local !== null) return describe('local', local);
  if (peer !== null) return describe('peer', peer);
  if (native.isTimedOut()) {
    return { by: 'idle', isApp: false, errorCode: QUIC_INTERNAL_ERROR, reason: 'idle timeout' };
  }
  return { by: 'local', isApp: true, errorCode: AppCode.Shutdown, reason: 'closed' };
}
