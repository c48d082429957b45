/**
 * The rules of the certificate policy, as the `reason` of ERR_PEER_CERT_POLICY and
 * ERR_LOCAL_CERT_INVALID. A fixed set: telemetry uses it as a metric label.
 */
export const CERTIFICATE_POLICY_REASONS = [
  /** basicConstraints CA:TRUE on the leaf. */
  'ca-certificate',
  /** keyUsage with keyCertSign or cRLSign, or without digitalSignature (TLS 1.3 signs with it). */
  'key-usage',
  /** No extended key usage for the role (serverAuth for listeners, clientAuth for dialers). */
  'extended-key-usage',
  /** A key that is neither RSA, EC nor Ed25519 (DSA, Ed448, ...). */
  'key-algorithm',
  /** An RSA key shorter than 2048 bits. */
  'key-size',
  /** An EC key on a curve other than P-256 or P-384. */
  'ec-curve',
  'not-yet-valid',
  'expired',
  /** A certificate marked OU=agentlink-development without `development: true`. */
  'development-certificate',
] as const;

export type CertificatePolicyReason = (typeof CERTIFICATE_POLICY_REASONS)[number];

/** Which side of a handshake a certificate identifies: 'server' for listeners, 'client' for dialers. */
export type CertificateRole = 'client' | 'server';

/**
 * `reason` of a `transportError` event that reports a refused peer certificate. The policy's own
 * reasons, plus 'chain' (the TLS library refused the chain: unknown CA, expired, self-signed)
 * and 'identity' (the certificate does not name the expected host, or carries no agent id).
 */
export type CertificateRefusalReason = CertificatePolicyReason | 'chain' | 'identity';
