import type { X509Certificate } from 'node:crypto';
import { isDevelopmentCertificate } from '../pki/certificate-inspection';
import { readBasicConstraintsCa, readKeyUsage } from '../pki/certificate-extensions';
import type { CertificatePolicyReason, CertificateRole } from './policy-reasons';

/**
 * The certificate policy of both transports, as pure functions of certificates: what the TLS
 * libraries do not check (or do not check alike). The chain's signatures and trust anchor are
 * the TLS library's job and are checked before these rules run.
 */

const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const OID_ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
const MIN_RSA_BITS = 2048;
/** OpenSSL names of P-256 and P-384. */
const ALLOWED_CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384' };

/** One broken rule: which, and what exactly. */
export interface PolicyViolation {
  readonly reason: CertificatePolicyReason;
  readonly detail: string;
}

export interface CertificatePolicyOptions {
  /** Accept certificates marked OU=agentlink-development. Default false. */
  readonly development?: boolean;
  /** The time the validity dates are checked against, ms since the epoch. Default now. */
  readonly now?: number;
}

/** The subject on one line, for error messages ('(empty subject)' when there is none). */
export function subjectOf(cert: X509Certificate): string {
  return (cert.subject as string | undefined)?.replace(/\n/g, ', ') || '(empty subject)';
}

/** The key must be RSA >= 2048 bits, EC P-256 / P-384 or Ed25519. */
export function keyViolation(cert: X509Certificate): PolicyViolation | undefined {
  let type: string | undefined;
  let details: { modulusLength?: number; namedCurve?: string };
  try {
    type = cert.publicKey.asymmetricKeyType;
    details = cert.publicKey.asymmetricKeyDetails ?? {};
  } catch {
    return { reason: 'key-algorithm', detail: 'the public key cannot be read (unknown algorithm or curve)' };
  }
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    return bits >= MIN_RSA_BITS
      ? undefined
      : { reason: 'key-size', detail: `RSA key of ${bits} bits, at least ${MIN_RSA_BITS} are required` };
  }
  if (type === 'ec') {
    const curve = details.namedCurve ?? 'unnamed';
    return ALLOWED_CURVES[curve] !== undefined
      ? undefined
      : { reason: 'ec-curve', detail: `EC key on ${curve}, only P-256 and P-384 are accepted` };
  }
  if (type === 'ed25519') return undefined;
  return {
    reason: 'key-algorithm',
    detail: `${type ?? 'unknown'} key, only RSA, EC (P-256, P-384) and Ed25519 are accepted`,
  };
}

/** Validity dates against `now` (ms). */
export function validityViolation(cert: X509Certificate, now: number): PolicyViolation | undefined {
  if (new Date(cert.validFrom).getTime() > now)
    return { reason: 'not-yet-valid', detail: `not valid before ${cert.validFrom}` };
  if (new Date(cert.validTo).getTime() <= now) return { reason: 'expired', detail: `expired at ${cert.validTo}` };
  return undefined;
}

/** Certificates marked for development are refused unless development is on. */
export function developmentViolation(cert: X509Certificate, development: boolean): PolicyViolation | undefined {
  if (development || !isDevelopmentCertificate(cert)) return undefined;
  return {
    reason: 'development-certificate',
    detail: 'marked OU=agentlink-development; only transports created with development: true accept it',
  };
}

function extendedKeyUsages(cert: X509Certificate): readonly string[] | undefined {
  // node:crypto calls the extended key usage `keyUsage`; newer versions add `extKeyUsage`.
  return (cert as X509Certificate & { extKeyUsage?: string[] }).extKeyUsage ?? cert.keyUsage;
}

/** The EKU a certificate needs for `role`. */
export function extendedKeyUsageViolation(cert: X509Certificate, role: CertificateRole): PolicyViolation | undefined {
  const needed = role === 'client' ? OID_CLIENT_AUTH : OID_SERVER_AUTH;
  const usages = extendedKeyUsages(cert);
  if (usages?.includes(OID_ANY_EXTENDED_KEY_USAGE) === true) {
    return {
      reason: 'extended-key-usage',
      detail: 'anyExtendedKeyUsage: a leaf must name its purposes (clientAuth, serverAuth)',
    };
  }
  if (usages?.includes(needed) === true) return undefined;
  const name = role === 'client' ? 'clientAuth' : 'serverAuth';
  return { reason: 'extended-key-usage', detail: `no ${name} extended key usage, which a ${role} certificate needs` };
}

/** A leaf identifies an agent: it must not be able to sign certificates, and must be able to sign handshakes. */
export function leafProfileViolation(cert: X509Certificate): PolicyViolation | undefined {
  let usage: ReturnType<typeof readKeyUsage>;
  let ca: boolean;
  try {
    usage = readKeyUsage(cert.raw);
    ca = cert.ca || readBasicConstraintsCa(cert.raw);
  } catch {
    return { reason: 'key-usage', detail: 'the keyUsage or basicConstraints extension cannot be read' };
  }
  if (ca)
    return {
      reason: 'ca-certificate',
      detail: 'basicConstraints CA:TRUE, a certificate that can sign certificates cannot identify an agent',
    };
  if (usage?.keyCertSign === true || usage?.cRLSign === true) {
    return {
      reason: 'key-usage',
      detail: 'keyUsage keyCertSign or cRLSign, a certificate that can sign certificates cannot identify an agent',
    };
  }
  if (usage !== undefined && !usage.digitalSignature) {
    return {
      reason: 'key-usage',
      detail: 'keyUsage without digitalSignature, which TLS 1.3 needs to sign the handshake',
    };
  }
  return undefined;
}

/** Rules for every certificate of a chain: key, dates, development marking. */
function anyCertificateViolation(
  cert: X509Certificate,
  options: CertificatePolicyOptions,
): PolicyViolation | undefined {
  return (
    keyViolation(cert) ??
    validityViolation(cert, options.now ?? Date.now()) ??
    developmentViolation(cert, options.development === true)
  );
}

/**
 * Judges a peer's chain (leaf first) that the TLS library has verified: the leaf profile and its
 * EKU for `role`, then key, dates and development marking of every certificate. Returns the
 * first violation and the certificate that broke it, or undefined.
 */
export function peerChainViolation(
  chain: readonly X509Certificate[],
  role: CertificateRole,
  options: CertificatePolicyOptions = {},
): { violation: PolicyViolation; certificate: X509Certificate } | undefined {
  const [leaf] = chain;
  if (leaf === undefined) return undefined;
  const leafViolation = leafProfileViolation(leaf) ?? extendedKeyUsageViolation(leaf, role);
  if (leafViolation !== undefined) return { violation: leafViolation, certificate: leaf };
  for (const certificate of chain) {
    const violation = anyCertificateViolation(certificate, options);
    if (violation !== undefined) return { violation, certificate };
  }
  return undefined;
}

/**
 * Judges our own credentials: the leaf (first of certPem) like a peer's for each role in `roles`
 * (with no role, it must carry clientAuth or serverAuth), and every other certificate of certPem
 * and caPem for key, dates and development marking.
 */
export function ownCredentialViolation(
  own: readonly X509Certificate[],
  authorities: readonly X509Certificate[],
  roles: readonly CertificateRole[],
  options: CertificatePolicyOptions = {},
):
  | { violation: PolicyViolation; certificate: X509Certificate; field: 'credentials.certPem' | 'credentials.caPem' }
  | undefined {
  const [leaf] = own;
  if (leaf !== undefined) {
    const eku =
      roles.length > 0
        ? roles.map((role) => extendedKeyUsageViolation(leaf, role)).find((v) => v !== undefined)
        : anyRoleViolation(leaf);
    const violation = leafProfileViolation(leaf) ?? eku;
    if (violation !== undefined) return { violation, certificate: leaf, field: 'credentials.certPem' };
  }
  for (const [field, list] of [
    ['credentials.certPem', own],
    ['credentials.caPem', authorities],
  ] as const) {
    for (const certificate of list) {
      const violation = anyCertificateViolation(certificate, options);
      if (violation !== undefined) return { violation, certificate, field };
    }
  }
  return undefined;
}

function anyRoleViolation(leaf: X509Certificate): PolicyViolation | undefined {
  const client = extendedKeyUsageViolation(leaf, 'client');
  const server = extendedKeyUsageViolation(leaf, 'server');
  if (client === undefined || server === undefined) return undefined;
  return {
    reason: 'extended-key-usage',
    detail: 'neither clientAuth nor serverAuth extended key usage; the certificate cannot be used for either role',
  };
}
