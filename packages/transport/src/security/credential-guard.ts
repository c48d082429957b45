import { createPrivateKey } from 'node:crypto';
import { InvalidOptionsError } from '@agentlink/resilience';
import { LocalCertificateInvalidError, ProductionGuardError } from '../errors';
import { isDevelopmentCertificate, parseCertificate, splitPemBundle } from '../pki/certificate-inspection';
import type { TransportEventEmitter } from '../events';
import type { TransportOptions } from '../types';
import { isProduction } from './environment';

/**
 * Checks own credentials before anything listens or dials: production rules first (fail closed),
 * then validity dates. Throws a typed error; returns nothing on success.
 */
export function assertCredentialsUsable(options: TransportOptions): void {
  const credentials = options.credentials as TransportOptions['credentials'] | undefined;
  if (credentials === undefined || typeof credentials.certPem !== 'string' || typeof credentials.keyPem !== 'string' || typeof credentials.caPem !== 'string') {
    throw new InvalidOptionsError('credentials { certPem, keyPem, caPem } are required (PEM strings)');
  }
  const own = splitPemBundle(credentials.certPem);
  const authorities = splitPemBundle(credentials.caPem);
  if (own.length === 0) throw new InvalidOptionsError('credentials.certPem holds no certificate');
  if (authorities.length === 0) throw new InvalidOptionsError('credentials.caPem holds no certificate');
  if (isProduction()) {
    if (options.insecureSkipPeerVerification === true) {
      throw new ProductionGuardError('ERR_VERIFICATION_DISABLED_IN_PRODUCTION', 'insecureSkipPeerVerification is set');
    }
    if (options.allowDevelopmentCertificates === true) {
      throw new ProductionGuardError('ERR_DEV_CERTS_IN_PRODUCTION', 'allowDevelopmentCertificates is set');
    }
  }
  const devAllowed = !isProduction() && options.allowDevelopmentCertificates !== false;
  const now = Date.now();
  for (const pem of [...own, ...authorities]) {
    const cert = parseCertificate(pem);
    const subject = cert.subject.replace(/\n/g, ', ');
    if (!devAllowed && isDevelopmentCertificate(cert)) {
      throw new ProductionGuardError('ERR_DEV_CERTS_IN_PRODUCTION', `certificate "${subject}" is a development certificate`);
    }
    if (new Date(cert.validFrom).getTime() > now) throw new LocalCertificateInvalidError(subject, 'not yet valid');
    if (new Date(cert.validTo).getTime() <= now) throw new LocalCertificateInvalidError(subject, 'expired');
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
  if (!matches) throw new InvalidOptionsError('credentials.keyPem does not belong to the first certificate of credentials.certPem');
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
