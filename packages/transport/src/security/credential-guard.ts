import { createPrivateKey, type X509Certificate } from 'node:crypto';
import { InvalidOptionsError } from '@agentlink/resilience';
import { LocalCertificateInvalidError, ProductionGuardError } from '../errors';
import { parseCertificate, splitPemBundle } from '../pki/certificate-inspection';
import type { TransportEventEmitter } from '../events';
import type { TransportOptions } from '../types';
import { ownCredentialViolation, subjectOf } from './certificate-policy';
import type { CertificateRole } from './policy-reasons';

/** Development-only switches need the explicit development flag; nothing depends on NODE_ENV. */
function assertDevelopmentSwitches(options: TransportOptions): void {
  const legacy = (options as { allowDevelopmentCertificates?: unknown }).allowDevelopmentCertificates;
  if (legacy !== undefined && legacy !== false) {
    throw new InvalidOptionsError('allowDevelopmentCertificates was replaced by development: true');
  }
  if (options.development !== undefined && typeof options.development !== 'boolean') {
    throw new InvalidOptionsError(`development must be a boolean, got ${typeof options.development}`);
  }
  if (options.insecureSkipPeerVerification === true && options.development !== true) {
    throw new ProductionGuardError('ERR_VERIFICATION_DISABLED_IN_PRODUCTION', 'insecureSkipPeerVerification is set');
  }
}

function parseAll(pems: readonly string[], field: string): X509Certificate[] {
  return pems.map((pem) => {
    try {
      return parseCertificate(pem);
    } catch (error) {
      throw new InvalidOptionsError(`${field} holds a certificate that cannot be parsed: ${(error as Error).message}`);
    }
  });
}

/**
 * The one check of our own credentials, at construction and at every rotation: the
 * development switches, then the certificate policy (the leaf for `roles`, with none at least
 * one of clientAuth / serverAuth; key, dates and development marking of every certificate),
 * then that the key belongs to the leaf. Throws a typed error; returns nothing on success.
 */
export function assertCredentialsUsable(options: TransportOptions, roles: readonly CertificateRole[] = []): void {
  const credentials = options.credentials as TransportOptions['credentials'] | undefined;
  if (
    credentials === undefined ||
    typeof credentials.certPem !== 'string' ||
    typeof credentials.keyPem !== 'string' ||
    typeof credentials.caPem !== 'string'
  ) {
    throw new InvalidOptionsError('credentials { certPem, keyPem, caPem } are required (PEM strings)');
  }
  assertDevelopmentSwitches(options);
  const own = splitPemBundle(credentials.certPem);
  const authorities = splitPemBundle(credentials.caPem);
  if (own.length === 0) throw new InvalidOptionsError('credentials.certPem holds no certificate');
  if (authorities.length === 0) throw new InvalidOptionsError('credentials.caPem holds no certificate');
  const ownCertificates = parseAll(own, 'credentials.certPem');
  const trusted = parseAll(authorities, 'credentials.caPem');
  const development = options.development === true;
  const refused = ownCredentialViolation(ownCertificates, trusted, roles, { development });
  if (refused !== undefined) {
    const { violation, certificate, field } = refused;
    if (violation.reason === 'development-certificate') {
      const what = `certificate "${subjectOf(certificate)}" (${field}) is a development certificate`;
      throw new ProductionGuardError('ERR_DEV_CERTS_IN_PRODUCTION', what);
    }
    const detail = `refused: ${violation.detail}`;
    throw new LocalCertificateInvalidError(subjectOf(certificate), detail, violation.reason, field);
  }
  assertKeyMatches(credentials.keyPem, own[0] as string);
}

/** The private key must belong to the leaf certificate, or every handshake would fail later. */
function assertKeyMatches(keyPem: string, leafPem: string): void {
  let matches: boolean;
  try {
    matches = parseCertificate(leafPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch (error) {
    throw new InvalidOptionsError(`credentials.keyPem is not a usable private key: ${(error as Error).message}`);
  }
  if (!matches) {
    throw new InvalidOptionsError(
      'credentials.keyPem does not belong to the first certificate of credentials.certPem',
    );
  }
}

/** Reports seconds left on each own and CA certificate now and then periodically, until stopped. */
export class CertificateExpiryMonitor {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: TransportOptions,
    private readonly events: TransportEventEmitter,
    /** The credentials in use now (they change with updateCredentials). */
    private readonly current: () => TransportOptions['credentials'],
  ) {}

  /** Emits one 'certificateExpiry' per certificate; returns what it emitted. */
  check(): Array<{ subject: string; secondsLeft: number }> {
    const { certPem, caPem } = this.current();
    const pems = [...splitPemBundle(certPem), ...splitPemBundle(caPem)];
    return pems.map((pem) => {
      const cert = parseCertificate(pem);
      const report = {
        subject: cert.subject.replace(/\n/g, ', '),
        secondsLeft: Math.floor((new Date(cert.validTo).getTime() - Date.now()) / 1000),
      };
      this.events.emit('certificateExpiry', report);
      return report;
    });
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.check();
    this.timer = setInterval(() => this.check(), this.options.certificateCheckIntervalMs ?? 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
