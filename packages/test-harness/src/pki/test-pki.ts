import type {
  CertificateAuthority,
  CertificateAuthorityOptions,
  IssueCertificateOptions,
  IssuedCertificate,
} from '@agentlink/transport';
import { InvalidOptionsError, PkiError } from '../errors';
import { writePkiToDirectory, type PkiFiles } from './write-pki';

export type { CertificateAuthority } from '@agentlink/transport';

/** What an agent presents and trusts: its certificate, its key and the CA it verifies peers with (all PEM). */
export interface TestCredentials {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

/** Kinds of bad credentials in the catalogue. */
export type BadCredentialKind =
  | 'expired'
  | 'notYetValid'
  | 'wrongCa'
  | 'wrongSan'
  | 'selfSigned'
  | 'wrongUsage'
  | 'caLeaf'
  | 'rsa1024'
  | 'unsupportedCurve'
  | 'noEku';

/** Options of createTestPki(). */
export interface TestPkiOptions {
  /** One good certificate (usage 'both') per agent id. Non-empty. */
  readonly agentIds: readonly string[];
  /** DNS SANs of good certificates. Default ['localhost']. */
  readonly dnsNames?: readonly string[];
  /** IP SANs of good certificates. Default ['127.0.0.1', '::1']. */
  readonly ipAddresses?: readonly string[];
  /** Identity claimed by every bad certificate (an impersonation attempt). Default agentIds[0]. */
  readonly badAgentId?: string;
  /** Mark the fleet CA and its certificates development-only. Default false. */
  readonly development?: boolean;
}

/** A fleet PKI for tests: a CA, good agent credentials and a catalogue of bad ones. */
export interface TestPki {
  /** The fleet CA every good agent trusts. */
  readonly ca: CertificateAuthority;
  /** A second, unrelated CA (it signed `bad.wrongCa`). */
  readonly otherCa: CertificateAuthority;
  /** Good credentials by agent id. */
  readonly agents: Readonly<Record<string, TestCredentials>>;
  /**
   * Bad credentials, each trusting the fleet CA, so the only fault is the certificate presented:
   * expired (validity ended yesterday), notYetValid (starts tomorrow), wrongCa (signed by otherCa),
   * wrongSan (SANs wrong-host.invalid / 192.0.2.1 only), selfSigned (no CA), wrongUsage (serverAuth
   * only: must be refused when presented as a client certificate), and four that break the
   * transport's certificate policy while the TLS libraries may accept them: caLeaf
   * (basicConstraints CA:TRUE and keyCertSign, both EKUs), rsa1024 (an RSA-1024 key),
   * unsupportedCurve (an EC P-521 key) and noEku (no extended key usage).
   */
  readonly bad: Readonly<Record<BadCredentialKind, TestCredentials>>;
  /** Writes every PEM file below `dir` (keys mode 0600) for multi-process fleets. */
  writeToDirectory(dir: string): Promise<PkiFiles>;
}

const DAY_MS = 86_400_000;

/** The SANs of `bad.wrongSan`: a reserved name and a TEST-NET-1 address no test connects to. */
export const WRONG_SAN = Object.freeze({ dnsNames: ['wrong-host.invalid'], ipAddresses: ['192.0.2.1'] });

function validate(options: TestPkiOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError('createTestPki options must be an object');
  const { agentIds } = options;
  if (!Array.isArray(agentIds) || agentIds.length === 0)
    throw new InvalidOptionsError('agentIds must be a non-empty array of agent ids');
  if (new Set(agentIds).size !== agentIds.length) throw new InvalidOptionsError('agentIds must be unique');
  // Ids become directory names in writeToDirectory().
  if (agentIds.some((id) => id === '.' || id === '..'))
    throw new InvalidOptionsError('agentIds must not be "." or ".."');
}

/** The two X.509 functions of @agentlink/transport the test PKI is built on. */
interface TransportPki {
  createCertificateAuthority(options?: CertificateAuthorityOptions): Promise<CertificateAuthority>;
  issueCertificate(
    issuer: CertificateAuthority | 'self',
    options: IssueCertificateOptions,
  ): Promise<IssuedCertificate>;
}

/**
 * Loaded on first use so that users of the proxy or the load generator do not load the transport
 * (and its QUIC binding).
 */
async function transportPki(): Promise<TransportPki> {
  try {
    return await import('@agentlink/transport');
  } catch (err) {
    throw new PkiError(
      '@agentlink/transport could not be loaded; it provides the X.509 functions the test PKI is built on',
      err,
    );
  }
}

async function issue(
  pki: TransportPki,
  issuer: CertificateAuthority | 'self',
  caPem: string,
  options: IssueCertificateOptions,
): Promise<TestCredentials> {
  try {
    const issued = await pki.issueCertificate(issuer, options);
    return { certPem: issued.certPem, keyPem: issued.keyPem, caPem };
  } catch (err) {
    if (err instanceof InvalidOptionsError) throw err;
    throw new PkiError(`issuing a certificate for "${options.agentId}" failed`, err);
  }
}

/** Creates a fleet CA, good credentials per agent and the catalogue of bad credentials. */
export async function createTestPki(options: TestPkiOptions): Promise<TestPki> {
  validate(options);
  const development = options.development ?? false;
  const pki = await transportPki();
  const { createCertificateAuthority } = pki;
  const [ca, otherCa] = await Promise.all([
    createCertificateAuthority({ commonName: 'agentlink test fleet CA', development }),
    createCertificateAuthority({ commonName: 'agentlink unrelated CA', development }),
  ]);
  const san = {
    dnsNames: options.dnsNames ?? ['localhost'],
    ipAddresses: options.ipAddresses ?? ['127.0.0.1', '::1'],
  };
  const agentEntries = await Promise.all(
    options.agentIds.map(
      async (agentId) => [agentId, await issue(pki, ca, ca.certPem, { agentId, usage: 'both', ...san })] as const,
    ),
  );
  const agentId = options.badAgentId ?? options.agentIds[0];
  const now = Date.now();
  const base = { agentId, usage: 'both', ...san } as const;
  const issued = await Promise.all([
    issue(pki, ca, ca.certPem, { ...base, notBefore: new Date(now - 30 * DAY_MS), notAfter: new Date(now - DAY_MS) }),
    issue(pki, ca, ca.certPem, { ...base, notBefore: new Date(now + DAY_MS), notAfter: new Date(now + 30 * DAY_MS) }),
    issue(pki, otherCa, ca.certPem, base),
    issue(pki, ca, ca.certPem, { ...base, ...WRONG_SAN }),
    issue(pki, 'self', ca.certPem, base),
    issue(pki, ca, ca.certPem, { ...base, usage: 'server' }),
    issue(pki, ca, ca.certPem, { ...base, basicConstraintsCa: true, keyUsage: ['digitalSignature', 'keyCertSign'] }),
    issue(pki, ca, ca.certPem, { ...base, key: { type: 'rsa', bits: 1024 } }),
    issue(pki, ca, ca.certPem, { ...base, key: { type: 'ec', curve: 'P-521' } }),
    issue(pki, ca, ca.certPem, { ...base, usage: 'none' }),
  ]);
  const agents = Object.freeze(Object.fromEntries(agentEntries));
  const [expired, notYetValid, wrongCa, wrongSan, selfSigned, wrongUsage] = issued;
  const [caLeaf, rsa1024, unsupportedCurve, noEku] = issued.slice(6);
  const bad = Object.freeze({
    ...{ expired, notYetValid, wrongCa, wrongSan, selfSigned, wrongUsage },
    ...{ caLeaf, rsa1024, unsupportedCurve, noEku },
  });
  return {
    ca,
    otherCa,
    agents,
    bad,
    writeToDirectory: (dir) => writePkiToDirectory(dir, { ca, agents, bad }),
  };
}
