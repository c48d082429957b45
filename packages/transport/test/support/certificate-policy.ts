import { QuicTransport } from '../../src/quic/quic-transport';
import { TcpTlsTransport } from '../../src/tcp/tcp-tls-transport';
import {
  createCertificateAuthority,
  issueCertificate,
  type CertificateAuthority,
  type IssueCertificateOptions,
} from '../../src/pki/certificate-authority';
import type { CertificatePolicyReason } from '../../src/security/policy-reasons';
import type { QuicTransportOptions, TlsCredentials, Transport } from '../../src/types';

export type Kind = 'quic' | 'tcp';
export type Profile = Omit<IssueCertificateOptions, 'agentId' | 'usage'> & {
  usage?: IssueCertificateOptions['usage'];
};

export interface Rule {
  readonly label: string;
  readonly reason: CertificatePolicyReason;
  readonly profile: Profile;
  /**
   * Where a TLS library refuses the certificate before our policy runs, the typed error it gives
   * instead (still a refusal; both transports must refuse).
   */
  readonly refusedByLibrary?: Partial<Record<`${Kind} ${'dialer' | 'listener'}`, string>>;
}

/** One certificate per rule of the policy, each signed by the fleet CA and otherwise good. */
export const RULES: readonly Rule[] = [
  {
    label: 'a CA:TRUE leaf with valid EKUs',
    reason: 'ca-certificate',
    profile: { basicConstraintsCa: true, keyUsage: ['digitalSignature', 'keyCertSign'] },
  },
  {
    label: 'a leaf with keyUsage keyCertSign',
    reason: 'key-usage',
    profile: { keyUsage: ['digitalSignature', 'keyCertSign'] },
  },
  {
    label: 'an RSA-1024 key',
    reason: 'key-size',
    profile: { key: { type: 'rsa', bits: 1024 } },
    // OpenSSL's security level refuses it first over TLS/TCP ("EE certificate key too weak").
    refusedByLibrary: { 'tcp dialer': 'ERR_CERT_VERIFICATION', 'tcp listener': 'ERR_CERT_VERIFICATION' },
  },
  { label: 'an unsupported curve (P-521)', reason: 'ec-curve', profile: { key: { type: 'ec', curve: 'P-521' } } },
  { label: 'no extended key usage', reason: 'extended-key-usage', profile: { usage: 'none' } },
  {
    label: 'a development certificate (no development flag)',
    reason: 'development-certificate',
    profile: { development: true },
  },
];

/** Keys the policy accepts. */
export const GOOD_KEYS: ReadonlyArray<[string, Profile['key']]> = [
  ['EC P-256', { type: 'ec', curve: 'P-256' }],
  ['EC P-384', { type: 'ec', curve: 'P-384' }],
  ['Ed25519', { type: 'ed25519' }],
  ['RSA-2048', { type: 'rsa', bits: 2048 }],
];

/** A QUIC or TLS/TCP transport with a short connect timeout (QUIC-only options go to QUIC only). */
export const make = (kind: Kind, options: QuicTransportOptions): Transport =>
  kind === 'quic'
    ? new QuicTransport({ connectTimeoutMs: 3000, ...options })
    : new TcpTlsTransport({ connectTimeoutMs: 3000, ...options });

/** What `fn` threw, or undefined. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A fleet CA, a good agent's credentials, and a way to issue more. */
export interface PolicyPki {
  readonly ca: CertificateAuthority;
  readonly good: TlsCredentials;
  issue(agentId: string, profile: Profile): Promise<TlsCredentials>;
}

export async function createPolicyPki(): Promise<PolicyPki> {
  const ca = await createCertificateAuthority({ commonName: 'policy test fleet CA' });
  const issue = async (agentId: string, profile: Profile): Promise<TlsCredentials> => {
    const issued = await issueCertificate(ca, { agentId, usage: 'both', ...profile });
    return { certPem: issued.certPem, keyPem: issued.keyPem, caPem: ca.certPem };
  };
  return { ca, good: await issue('good-agent', {}), issue };
}
