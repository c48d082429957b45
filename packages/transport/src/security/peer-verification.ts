import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { CertificateVerificationError, PeerCertificatePolicyError, PeerIdentityError } from '../errors';
import { agentIdOf, parseCertificate, type PeerIdentity } from '../pki/certificate-inspection';
import { peerChainViolation, subjectOf, type CertificatePolicyOptions } from './certificate-policy';
import type { CertificateRefusalReason, CertificateRole } from './policy-reasons';

/** A certificate as PEM, DER bytes or a parsed node:crypto X509Certificate. */
export type CertificateInput = string | Uint8Array | X509Certificate;

/**
 * Host names as RFC 6125 and webpki match them: the SAN only (never the subject CN), a wildcard
 * only as the whole leftmost label of at least three, matching exactly one label.
 */
function namesHost(cert: X509Certificate, host: string): boolean {
  if (isIP(host) !== 0) return cert.checkIP(host) !== undefined;
  return (
    cert.checkHost(host, {
      subject: 'never',
      wildcards: true,
      partialWildcards: false,
      multiLabelWildcards: false,
      singleLabelSubdomains: false,
    }) !== undefined
  );
}

/**
 * The certificate policy and host check of a peer's chain (leaf first) that the TLS library has
 * verified: the rules of certificate-policy.ts, then, for a server, `expectedHost` in its SANs.
 * Pure. Throws PeerCertificatePolicyError (ERR_PEER_CERT_POLICY) or PeerIdentityError; returns the leaf.
 */
export function checkPeerCertificate(
  chain: CertificateInput | readonly CertificateInput[],
  role: CertificateRole,
  expectedHost?: string,
  options: CertificatePolicyOptions = {},
): X509Certificate {
  const certificates = (
    Array.isArray(chain) ? (chain as readonly CertificateInput[]) : [chain as CertificateInput]
  ).map(parseCertificate);
  const leaf = certificates[0];
  if (leaf === undefined) throw new PeerIdentityError(`${role} presented no certificate`);
  const refused = peerChainViolation(certificates, role, options);
  if (refused !== undefined) {
    throw new PeerCertificatePolicyError(
      refused.violation.reason,
      role,
      subjectOf(refused.certificate),
      refused.violation.detail,
    );
  }
  if (expectedHost !== undefined && !namesHost(leaf, expectedHost)) {
    throw new PeerIdentityError(`server certificate does not name "${expectedHost}" in its subject alternative names`);
  }
  return leaf;
}

/**
 * The one judgement of a peer, which each transport calls once its TLS library has verified
 * the chain: checkPeerCertificate, then the agent id (SAN URI, else CN). Pure: a function of the
 * certificates, the role, the host and `options`.
 */
export function verifiedPeerIdentity(
  chain: CertificateInput | readonly CertificateInput[],
  role: CertificateRole,
  expectedHost?: string,
  options: CertificatePolicyOptions = {},
): PeerIdentity {
  const leaf = checkPeerCertificate(chain, role, expectedHost, options);
  const agentId = agentIdOf(leaf);
  if (agentId === undefined || agentId.length === 0)
    throw new PeerIdentityError('peer certificate carries no agent id');
  return { agentId, subject: subjectOf(leaf), fingerprint256: leaf.fingerprint256, validTo: new Date(leaf.validTo) };
}

/** The leaf and the issuers node:tls attached to it (TCP), leaf first, without repeating a self-signed root. */
export function chainOf(leaf: X509Certificate): X509Certificate[] {
  const chain = [leaf];
  for (let cert = leaf.issuerCertificate; cert !== undefined && chain.length < 10; cert = cert.issuerCertificate) {
    if (chain.some((known) => known.fingerprint256 === cert!.fingerprint256)) break;
    chain.push(cert);
  }
  return chain;
}

/**
 * When `error` means "we refused this peer's certificate", the bounded reason for the
 * `transportError` event and the refusal metric; otherwise undefined.
 */
export function certificateRefusalReason(error: unknown): CertificateRefusalReason | undefined {
  if (error instanceof PeerCertificatePolicyError) return error.reason;
  if (error instanceof CertificateVerificationError) return 'chain';
  if (error instanceof PeerIdentityError) return 'identity';
  return undefined;
}
