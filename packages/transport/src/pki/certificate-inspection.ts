import { X509Certificate } from 'node:crypto';
import { AGENT_URI_PREFIX, DEVELOPMENT_OU } from './certificate-authority';

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
  return ((cert.subject as string | undefined) ?? '')
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
