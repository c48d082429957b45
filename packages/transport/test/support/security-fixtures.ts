/** The PKI and the transport variants of the security tests (security.test.ts). */
import {
  createCertificateAuthority,
  issueCertificate,
  type CertificateAuthority,
} from '../../src/pki/certificate-authority';
import type { DialMode, TlsCredentials, ZeroRttOptions } from '../../src/types';

const DAY = 86_400_000;

export interface Pki {
  ca: CertificateAuthority;
  otherCa: CertificateAuthority;
  good: TlsCredentials;
  client: TlsCredentials;
  badServers: Record<string, { certPem: string; keyPem: string }>;
  wrongCaClient: TlsCredentials;
}

export async function buildPki(): Promise<Pki> {
  const ca = await createCertificateAuthority();
  const otherCa = await createCertificateAuthority({ commonName: 'intruder CA' });
  const good = await issueCertificate(ca, { agentId: 'server-agent', usage: 'both' });
  const client = await issueCertificate(ca, { agentId: 'client-agent', usage: 'both' });
  const now = Date.now();
  const badServers = {
    expired: await issueCertificate(ca, {
      agentId: 'expired',
      usage: 'server',
      notBefore: new Date(now - 10 * DAY),
      notAfter: new Date(now - DAY),
    }),
    'not-yet-valid': await issueCertificate(ca, {
      agentId: 'future',
      usage: 'server',
      notBefore: new Date(now + DAY),
      notAfter: new Date(now + 10 * DAY),
    }),
    'wrong-CA': await issueCertificate(otherCa, { agentId: 'impostor', usage: 'server' }),
    'wrong-SAN': await issueCertificate(ca, {
      agentId: 'elsewhere',
      usage: 'server',
      dnsNames: ['elsewhere.example'],
      ipAddresses: ['10.9.9.9'],
    }),
    'self-signed': await issueCertificate('self', { agentId: 'selfie', usage: 'server' }),
    'client-only EKU': await issueCertificate(ca, { agentId: 'no-server-eku', usage: 'client' }),
  };
  const wrongCaClient = await issueCertificate(otherCa, { agentId: 'intruder', usage: 'client' });
  return {
    ca,
    otherCa,
    good: { certPem: good.certPem, keyPem: good.keyPem, caPem: ca.certPem },
    client: { certPem: client.certPem, keyPem: client.keyPem, caPem: ca.certPem },
    badServers,
    wrongCaClient: { certPem: wrongCaClient.certPem, keyPem: wrongCaClient.keyPem, caPem: ca.certPem },
  };
}

/**
 * How each stack refuses each bad server: [code, text in the error's reason]. Chain and date
 * failures are the TLS library's verdict (quiche reports the TLS alert, node:tls the OpenSSL
 * code); the SAN mismatch over TCP is node:tls's checkServerIdentity.
 */
export const REFUSED_SERVERS: Record<'quic' | 'tcp', Record<string, [string, string]>> = {
  quic: {
    expired: ['ERR_CERT_VERIFICATION', 'certificate_expired'],
    'not-yet-valid': ['ERR_CERT_VERIFICATION', 'certificate_expired'],
    'wrong-CA': ['ERR_CERT_VERIFICATION', 'unknown_ca'],
    'wrong-SAN': ['ERR_CERT_VERIFICATION', 'bad_certificate'],
    'self-signed': ['ERR_CERT_VERIFICATION', 'unknown_ca'],
    'client-only EKU': ['ERR_CERT_VERIFICATION', 'unsupported_certificate'],
  },
  tcp: {
    expired: ['ERR_CERT_VERIFICATION', 'CERT_HAS_EXPIRED'],
    'not-yet-valid': ['ERR_CERT_VERIFICATION', 'CERT_NOT_YET_VALID'],
    'wrong-CA': ['ERR_CERT_VERIFICATION', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    'wrong-SAN': ['ERR_PEER_IDENTITY', '127.0.0.1'],
    'self-signed': ['ERR_CERT_VERIFICATION', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    'client-only EKU': ['ERR_CERT_VERIFICATION', 'INVALID_PURPOSE'],
  },
};

/** A listener's report of a client chain its TLS library refused. */
export const CHAIN_REFUSAL = (kind: 'quic' | 'tcp') => ({
  transport: kind,
  code: 'ERR_CERT_VERIFICATION',
  reason: 'chain',
});

export interface SecurityCase {
  readonly label: string;
  readonly kind: 'quic' | 'tcp';
  /** QUIC only: the options under test (Retry off also on the raw bad servers). */
  readonly quic?: { retry: boolean; coalesceSends: boolean; zeroRtt?: ZeroRttOptions };
  readonly dialMode?: DialMode;
  /** QUIC with 0-RTT: every dialer first takes a session ticket for the address it dials. */
  readonly resume?: boolean;
}

export const SECURITY_CASES: readonly SecurityCase[] = [
  { label: 'quic', kind: 'quic' },
  { label: 'quic with Retry off and coalesceSends', kind: 'quic', quic: { retry: false, coalesceSends: true } },
  {
    label: 'quic with Retry off, coalesceSends and eager dials',
    kind: 'quic',
    quic: { retry: false, coalesceSends: true },
    dialMode: 'eager',
  },
  {
    label: 'quic with 0-RTT on (every method idempotent), Retry off and eager dials',
    kind: 'quic',
    quic: { retry: false, coalesceSends: true, zeroRtt: { idempotentMethods: ['echo', 'guarded'] } },
    dialMode: 'eager',
  },
  {
    label: 'quic resuming with a session ticket (0-RTT early data, Retry off, eager dials)',
    kind: 'quic',
    quic: { retry: false, coalesceSends: true, zeroRtt: { idempotentMethods: ['echo', 'guarded'] } },
    dialMode: 'eager',
    resume: true,
  },
  { label: 'tcp', kind: 'tcp' },
  { label: 'tcp with eager dials', kind: 'tcp', dialMode: 'eager' },
];
