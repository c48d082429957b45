import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { PeerIdentityError } from '../errors';
import { AGENT_URI_PREFIX, DEVELOPMENT_OU } from './certificate-authority';

const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** What a verified peer certificate says about the peer. */
export interface PeerIdentity {
  /** From the SAN URI agentlink://agent/<id>, else the subject CN. */
  readonly agentId: string;
  readonly subject: string;
  readonly fingerprint256: string;
  readonly validTo: Date;
}

/** Parses a PEM string or DER bytes into a node:crypto X509Certificate. */
export function parseCertificate(certificate: string | Uint8Array | X509Certificate): X509Certificate {
  if (certificate instanceof X509Certificate) return certificate;
  return new X509Certificate(typeof certificate === 'string' ? certificate : Buffer.from(certificate));
}

/** Splits a PEM bundle into its certificates. */
export function splitPemBundle(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function subjectField(cert: X509Certificate, field: string): string[] {
  return cert.subject
    .split('\n')
    .filter((line) => line.startsWith(`${field}=`))
    .map((line) => line.slice(field.length + 1));
}

/** The agent id a certificate carries (SAN URI first, then CN), or undefined. */
export function agentIdOf(cert: X509Certificate): string | undefined {
  const uri = (cert.subjectAltName ?? '')
    .split(', ')
    .find((entry) => entry.startsWith(`URI:${AGENT_URI_PREFIX}`));
  if (uri !== undefined) return uri.slice(`URI:${AGENT_URI_PREFIX}`.length);
  return subjectField(cert, 'CN')[0];
}

/** True when the certificate is marked as a development certificate (OU agentlink-development). */
export function isDevelopmentCertificate(cert: X509Certificate): boolean {
  return subjectField(cert, 'OU').includes(DEVELOPMENT_OU);
}

function extendedKeyUsages(cert: X509Certificate): string[] {
  const withExt = cert as X509Certificate & { extKeyUsage?: string[] };
  return withExt.extKeyUsage ?? cert.keyUsage ?? [];
}

/**
 * Reads the identity of a peer whose chain the TLS stack already verified, and checks what the
 * stack does not: the extended key usage for its role and, for servers, the expected host name.
 */
export function verifiedPeerIdentity(
  certificate: string | Uint8Array | X509Certificate,
  role: 'client' | 'server',
  expectedHost?: string,
): PeerIdentity {
  const cert = parseCertificate(certificate);
  const usages = extendedKeyUsages(cert);
  const needed = role === 'client' ? OID_CLIENT_AUTH : OID_SERVER_AUTH;
  if (!usages.includes(needed)) {
    throw new PeerIdentityError(`${role} certificate "${cert.subject.replace(/\n/g, ', ')}" lacks the ${role === 'client' ? 'clientAuth' : 'serverAuth'} extended key usage`);
  }
  if (expectedHost !== undefined) {
    const matches = isIP(expectedHost) === 0 ? cert.checkHost(expectedHost) !== undefined : cert.checkIP(expectedHost) !== undefined;
    if (!matches) throw new PeerIdentityError(`server certificate does not name "${expectedHost}" in its subject alternative names`);
  }
  const agentId = agentIdOf(cert);
  if (agentId === undefined || agentId.length === 0) throw new PeerIdentityError('peer certificate carries no agent id');
  return {
    agentId,
    subject: cert.subject.replace(/\n/g, ', '),
    fingerprint256: cert.fingerprint256,
    validTo: new Date(cert.validTo),
  };
}
