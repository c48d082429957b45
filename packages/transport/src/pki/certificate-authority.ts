import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { InvalidOptionsError } from '@agentlink/resilience';
import {
  generateCertificateKeys,
  importSigningKey as importKey,
  signingAlgorithmFor,
  type CertificateKeySpec,
} from './key-pairs';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** Organisational unit that marks development certificates; production refuses them at start. */
export const DEVELOPMENT_OU = 'agentlink-development';
/** Prefix of the SAN URI that carries an agent's identity: `agentlink://agent/<agentId>`. */
export const AGENT_URI_PREFIX = 'agentlink://agent/';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A certificate authority: its certificate and private key (PKCS#8), both PEM. */
export interface CertificateAuthority {
  readonly certPem: string;
  readonly keyPem: string;
  readonly subject: string;
  readonly development: boolean;
}

/** A leaf certificate with its private key (PKCS#8 PEM) and the issuing CA, if any. */
export interface IssuedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem?: string;
}

export interface CertificateAuthorityOptions {
  /** Subject CN. Default 'agentlink fleet CA'. */
  readonly commonName?: string;
  /** Start of validity. Default now minus one minute (clock skew). */
  readonly notBefore?: Date;
  /** End of validity. Default notBefore plus 365 days. */
  readonly notAfter?: Date;
  /** Mark the CA as development-only (OU agentlink-development). Default false. */
  readonly development?: boolean;
}

export interface IssueCertificateOptions {
  /** Agent identity: subject CN and SAN URI agentlink://agent/<agentId>. */
  readonly agentId: string;
  /** DNS SANs for hostname verification. Default ['localhost']. */
  readonly dnsNames?: readonly string[];
  /** IP SANs. Default ['127.0.0.1', '::1']. */
  readonly ipAddresses?: readonly string[];
  /** Extended key usage: clientAuth, serverAuth or both ('none': no EKU extension; the transport refuses that). */
  readonly usage: 'client' | 'server' | 'both' | 'none';
  /** Key of the certificate. Default EC P-256. The transport accepts RSA >= 2048, P-256, P-384 and Ed25519. */
  readonly key?: CertificateKeySpec;
  /** Key usage bits. Default ['digitalSignature']; keyCertSign or cRLSign on a leaf is refused by the transport. */
  readonly keyUsage?: readonly KeyUsageName[];
  /** basicConstraints CA:TRUE on this leaf (a leaf that can sign certificates; refused). Default false. */
  readonly basicConstraintsCa?: boolean;
  /** Start of validity. Default now minus one minute. */
  readonly notBefore?: Date;
  /** End of validity. Default notBefore plus 90 days. */
  readonly notAfter?: Date;
  /** Mark as a development certificate. Default: inherited from the issuing CA (false for 'self'). */
  readonly development?: boolean;
}

/** Key usage bits issueCertificate can set. */
export type KeyUsageName = 'digitalSignature' | 'keyEncipherment' | 'keyCertSign' | 'cRLSign';

const KEY_USAGE_FLAGS: Record<KeyUsageName, number> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
};

function keyUsageFlags(names: readonly KeyUsageName[]): number {
  return names.reduce((flags, name) => {
    const flag = KEY_USAGE_FLAGS[name];
    if (flag === undefined) throw new InvalidOptionsError(`unknown keyUsage "${String(name)}"`);
    return flags | flag;
  }, 0);
}

function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] as number) & 0x7f; // positive INTEGER
  return Buffer.from(bytes).toString('hex');
}

function escapeRdn(value: string): string {
  return value.replace(/([,+"\\<>;=#])/g, '\\$1');
}

function subjectName(commonName: string, development: boolean): string {
  return `CN=${escapeRdn(commonName)}, ${development ? `OU=${DEVELOPMENT_OU}, ` : ''}O=agentlink`;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

async function importSigningKey(keyPem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(keyPem)[0];
  if (der === undefined) throw new InvalidOptionsError('issuer keyPem holds no PEM block');
  return (await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign'])) as unknown as CryptoKey;
}

function validity(
  notBefore: Date | undefined,
  notAfter: Date | undefined,
  defaultDays: number,
): { notBefore: Date; notAfter: Date } {
  const start = notBefore ?? new Date(Date.now() - 60_000);
  const end = notAfter ?? new Date(start.getTime() + defaultDays * DAY_MS);
  if (!(end.getTime() > start.getTime())) throw new InvalidOptionsError('notAfter must be later than notBefore');
  return { notBefore: start, notAfter: end };
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

/** Creates a CA (ECDSA P-256, pathLen 0) that can issue agent certificates. */
export async function createCertificateAuthority(
  options: CertificateAuthorityOptions = {},
): Promise<CertificateAuthority> {
  const development = options.development ?? false;
  const { notBefore, notAfter } = validity(options.notBefore, options.notAfter, 365);
  const keys = await generateKeys();
  const name = subjectName(options.commonName ?? 'agentlink fleet CA', development);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey), subject: name, development };
}

function extendedKeyUsages(usage: IssueCertificateOptions['usage']): string[] {
  if (!['client', 'server', 'both', 'none'].includes(usage)) {
    throw new InvalidOptionsError("usage must be 'client', 'server', 'both' or 'none'");
  }
  const usages: string[] = [];
  if (usage === 'client' || usage === 'both') usages.push(x509.ExtendedKeyUsage.clientAuth);
  if (usage === 'server' || usage === 'both') usages.push(x509.ExtendedKeyUsage.serverAuth);
  return usages;
}

/** Issues an agent certificate signed by `issuer`, or self-signed when issuer is 'self'. */
export async function issueCertificate(
  issuer: CertificateAuthority | 'self',
  options: IssueCertificateOptions,
): Promise<IssuedCertificate> {
  if (typeof options.agentId !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(options.agentId)) {
    throw new InvalidOptionsError('agentId must be 1-128 characters of A-Z a-z 0-9 . _ -');
  }
  const usages = extendedKeyUsages(options.usage);
  const development = options.development ?? (issuer === 'self' ? false : issuer.development);
  const { notBefore, notAfter } = validity(options.notBefore, options.notAfter, 90);
  const keys = await generateCertificateKeys(options.key);
  const altNames: x509.JsonGeneralName[] = [
    { type: 'url', value: `${AGENT_URI_PREFIX}${options.agentId}` },
    ...(options.dnsNames ?? ['localhost']).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? ['127.0.0.1', '::1']).map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(options.basicConstraintsCa === true, undefined, true),
    new x509.KeyUsagesExtension(keyUsageFlags(options.keyUsage ?? ['digitalSignature']), true),
    ...(usages.length > 0 ? [new x509.ExtendedKeyUsageExtension(usages, false)] : []),
    new x509.SubjectAlternativeNameExtension(altNames, false),
    await x509.SubjectKeyIdentifierExtension.create(keys.spki),
  ];
  const name = subjectName(options.agentId, development);
  const signer =
    issuer === 'self'
      ? { name, algorithm: signingAlgorithmFor(options.key) }
      : { name: new x509.X509Certificate(issuer.certPem).subject, algorithm: ALGORITHM };
  if (issuer !== 'self') {
    extensions.push(
      await x509.AuthorityKeyIdentifierExtension.create(new x509.X509Certificate(issuer.certPem), false),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: name,
    issuer: signer.name,
    notBefore,
    notAfter,
    publicKey: keys.spki,
    signingKey:
      issuer === 'self' ? await importKey(keys.privateKey, signer.algorithm) : await importSigningKey(issuer.keyPem),
    signingAlgorithm: signer.algorithm,
    extensions,
  });
  const certPem = cert.toString('pem');
  return issuer === 'self'
    ? { certPem, keyPem: keys.keyPem }
    : { certPem, keyPem: keys.keyPem, caPem: issuer.certPem };
}

export interface DevelopmentCredentialsOptions {
  /** One certificate (usage 'both') is issued per agent id. */
  readonly agentIds: readonly string[];
  /** DNS SANs of every agent certificate. Default ['localhost']. */
  readonly dnsNames?: readonly string[];
  /** IP SANs of every agent certificate. Default ['127.0.0.1', '::1']. */
  readonly ipAddresses?: readonly string[];
  /** Validity of the agent certificates in days. Default 30. */
  readonly validityDays?: number;
}

export interface DevelopmentCredentials {
  readonly ca: CertificateAuthority;
  /** Keyed by agent id; each has certPem, keyPem and caPem. */
  readonly agents: Readonly<Record<string, Required<IssuedCertificate>>>;
}

/**
 * Generates a development CA and one certificate per agent, all marked development-only.
 * Transports refuse them unless constructed with `development: true`.
 */
export async function createDevelopmentCredentials(
  options: DevelopmentCredentialsOptions,
): Promise<DevelopmentCredentials> {
  if (!Array.isArray(options.agentIds) || options.agentIds.length === 0) {
    throw new InvalidOptionsError('agentIds must be a non-empty array');
  }
  const ca = await createCertificateAuthority({ commonName: 'agentlink development CA', development: true });
  const days = options.validityDays ?? 30;
  const agents: Record<string, Required<IssuedCertificate>> = {};
  for (const agentId of options.agentIds) {
    const issued = await issueCertificate(ca, {
      agentId,
      usage: 'both',
      dnsNames: options.dnsNames,
      ipAddresses: options.ipAddresses,
      notAfter: new Date(Date.now() + days * DAY_MS),
    });
    agents[agentId] = { certPem: issued.certPem, keyPem: issued.keyPem, caPem: ca.certPem };
  }
  return { ca, agents };
}
