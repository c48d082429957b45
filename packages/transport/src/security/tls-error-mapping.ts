import { AgentlinkError } from '@agentlink/resilience';
import { CertificateVerificationError, ConnectFailedError, PeerIdentityError, TlsHandshakeError } from '../errors';

const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_PURPOSE',
  'INVALID_CA',
  'CERT_CHAIN_TOO_LONG',
  'PATH_LENGTH_EXCEEDED',
  'KEYUSAGE_NO_CERTSIGN',
  // node:tls names the verification errors it has no name for (e.g. "EE certificate key too weak") so.
  'UNSPECIFIED',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
]);

/** Maps a node:tls / node:net failure to one of our typed errors. */
export function mapTlsError(error: unknown, address: string): AgentlinkError {
  if (error instanceof AgentlinkError) return error;
  const err = error as NodeJS.ErrnoException & { reason?: string };
  const code = err?.code ?? '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return new PeerIdentityError(err.reason ?? err.message);
  if (CERTIFICATE_CODES.has(code)) return new CertificateVerificationError(code, error);
  // A listener's verdict on a client that sent no certificate (QUIC reports it as a verification failure too).
  if (code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') {
    return new CertificateVerificationError('the client presented no certificate', error);
  }
  if (NETWORK_CODES.has(code)) return new ConnectFailedError(address, code, error);
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /alert|ssl|tls/i.test(err?.message ?? '')) {
    return new TlsHandshakeError(code !== '' ? code : (err?.message ?? 'unknown'), error);
  }
  return new ConnectFailedError(address, err?.message ?? String(error), error);
}
