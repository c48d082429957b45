import type { AgentlinkError } from '@agentlink/resilience';
import { CertificateVerificationError, ConnectionClosedError, TlsHandshakeError } from '../errors';
import { AppCode, type QuicCloseInfo } from './endpoint/close-info';
import { CRYPTO_ERROR_START, CRYPTO_ERROR_STOP } from './endpoint/native';

/** Application close code of a listener that refused a verified peer's certificate (policy, identity). */
export const PEER_REFUSED_APP_CODE = AppCode.PeerRefused;

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

/** The TLS alert name of a QUIC crypto error code (0x100 + alert, RFC 9001 §4.8). */
export function alertName(errorCode: number): string {
  const alert = errorCode - CRYPTO_ERROR_START;
  return TLS_ALERTS[alert] ?? `tls_alert_${alert}`;
}

/** True for a connection closed on purpose by either side (application code 0), which is no error. */
export function isGracefulQuicClose(info: QuicCloseInfo): boolean {
  return info.isApp && info.errorCode === AppCode.NoError;
}

/** True for a connection we closed ourselves with an application code (its reason was already reported). */
export function isOwnApplicationClose(info: QuicCloseInfo): boolean {
  return info.by === 'local' && info.isApp;
}

/**
 * The typed error for how a QUIC connection ended; undefined for a graceful close. Our TLS
 * refusing the peer's chain is a CertificateVerificationError; the peer's TLS refusing ours, or
 * its policy refusing our certificate, a TlsHandshakeError (neither is retryable).
 */
export function mapQuicClose(info: QuicCloseInfo): AgentlinkError | undefined {
  if (isGracefulQuicClose(info)) return undefined;
  const tls = !info.isApp && info.errorCode >= CRYPTO_ERROR_START && info.errorCode <= CRYPTO_ERROR_STOP;
  if (tls && info.by === 'local') {
    return new CertificateVerificationError(`peer certificate failed verification (${alertName(info.errorCode)})`);
  }
  if (tls) return new TlsHandshakeError(`peer refused the handshake (${alertName(info.errorCode)})`);
  if (info.by === 'peer' && info.isApp && info.errorCode === PEER_REFUSED_APP_CODE) {
    return new TlsHandshakeError("the listener refused this agent's certificate (policy or identity)");
  }
  if (info.by === 'idle') return new ConnectionClosedError('idle timeout');
  const kind = info.isApp ? 'application' : 'transport';
  const who = info.by === 'peer' ? 'peer' : 'this agent';
  const reason = info.reason === '' ? '' : `: ${info.reason}`;
  return new ConnectionClosedError(`${who} closed the QUIC connection (${kind} code ${info.errorCode}${reason})`);
}
