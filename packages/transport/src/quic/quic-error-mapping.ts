import { AgentlinkError } from '@agentlink/resilience';
import { errors as quicErrors } from '@matrixai/quic';
import {
  CertificateVerificationError,
  ConnectFailedError,
  ConnectionClosedError,
  ConnectTimeoutError,
  TlsHandshakeError,
} from '../errors';

const CRYPTO_ERROR_BASE = 0x100;
/** Application close code of a listener that refused a verified peer's certificate (policy, identity). */
export const PEER_REFUSED_APP_CODE = 0x0a;
const TLS_ALERTS: Record<number, string> = {
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  48: 'unknown_ca',
  70: 'protocol_version',
  80: 'internal_error',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

function alertName(data: unknown): string {
  const code = (data as { errorCode?: number } | undefined)?.errorCode;
  if (code === undefined) return 'unknown';
  const alert = code - CRYPTO_ERROR_BASE;
  return TLS_ALERTS[alert] ?? `tls_alert_${alert}`;
}

function findQuicError(error: unknown): unknown {
  // createQUICClient and acceptConnection wrap the interesting error in `cause`.
  let current = error;
  for (let depth = 0; depth < 5 && current !== undefined; depth += 1) {
    if (current instanceof quicErrors.ErrorQUICConnectionLocalTLS || current instanceof quicErrors.ErrorQUICConnectionPeerTLS) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return error;
}

/** Maps an @matrixai/quic error (possibly wrapped) to one of our typed errors. */
export function mapQuicError(error: unknown, address: string, timeoutMs = 0): AgentlinkError {
  if (error instanceof AgentlinkError) return error;
  const inner = findQuicError(error);
  if (inner instanceof quicErrors.ErrorQUICConnectionLocalTLS) {
    return new CertificateVerificationError(`peer certificate failed verification (${alertName(inner.data)})`, inner);
  }
  if (inner instanceof quicErrors.ErrorQUICConnectionPeerTLS) {
    return new TlsHandshakeError(`peer refused the handshake (${alertName(inner.data)})`, inner);
  }
  if (
    inner instanceof quicErrors.ErrorQUICClientCreateTimeout ||
    inner instanceof quicErrors.ErrorQUICConnectionStartTimeout ||
    inner instanceof quicErrors.ErrorQUICConnectionIdleTimeout
  ) {
    return timeoutMs > 0 ? new ConnectTimeoutError(address, timeoutMs) : new ConnectionClosedError('idle timeout');
  }
  if (inner instanceof quicErrors.ErrorQUICConnectionPeer) {
    const data = inner.data as { isApp?: boolean; errorCode?: number } | undefined;
    if (data?.isApp === true && data.errorCode === PEER_REFUSED_APP_CODE) {
      return new TlsHandshakeError("the listener refused this agent's certificate (policy or identity)", inner);
    }
    return new ConnectionClosedError(`peer closed the QUIC connection (code ${(inner.data as { errorCode?: number } | undefined)?.errorCode ?? '?'})`);
  }
  const message = inner instanceof Error ? inner.message : String(inner);
  return new ConnectFailedError(address, message, inner);
}

/** True for a connection closed on purpose by either side (application code 0), which is no error. */
export function isGracefulQuicClose(error: unknown): boolean {
  const data = (error as { data?: { isApp?: boolean; errorCode?: number } } | undefined)?.data;
  return data?.isApp === true && data.errorCode === 0;
}

/** True for a connection we closed ourselves with an application code (its reason was already reported). */
export function isOwnApplicationClose(error: unknown): boolean {
  const ownClass =
    error instanceof quicErrors.ErrorQUICConnectionLocal &&
    !(error instanceof quicErrors.ErrorQUICConnectionLocalTLS) &&
    !(error instanceof quicErrors.ErrorQUICConnectionPeerTLS);
  return ownClass && (error as { data?: { isApp?: boolean } }).data?.isApp === true;
}
