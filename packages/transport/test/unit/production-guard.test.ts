import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { ProductionGuardError, LocalCertificateInvalidError } from '../../src/errors';
import {
  createCertificateAuthority,
  createDevelopmentCredentials,
  issueCertificate,
  type DevelopmentCredentials,
} from '../../src/pki/certificate-authority';
import { agentIdOf, isDevelopmentCertificate } from '../../src/pki/certificate-inspection';
import { verifiedPeerIdentity } from '../../src/security/peer-verification';
import { QuicTransport } from '../../src/quic/quic-transport';
import { TcpTlsTransport } from '../../src/tcp/tcp-tls-transport';
import type { TlsCredentials } from '../../src/types';
import { createTestPki, waitFor } from '../helpers';

const original = process.env['NODE_ENV'];
/** Spellings that once switched the guard on or off; none may matter now. */
const NODE_ENVS = [undefined, 'production', 'prod', 'staging', 'development', 'test'];

function setNodeEnv(value: string | undefined): void {
  if (value === undefined) delete process.env['NODE_ENV'];
  else process.env['NODE_ENV'] = value;
}

function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('production guard and PKI', () => {
  let dev: DevelopmentCredentials;
  let fleet: TlsCredentials;

  beforeAll(async () => {
    dev = await createDevelopmentCredentials({ agentIds: ['alpha', 'beta'] });
    fleet = (await createTestPki()).server;
  });
  afterEach(() => setNodeEnv(original));

  it('marks development certificates and carries the agent identity in CN and SAN URI', () => {
    const cert = new X509Certificate(dev.agents['alpha']!.certPem);
    expect(isDevelopmentCertificate(cert)).toBe(true);
    expect(agentIdOf(cert)).toBe('alpha');
    expect(cert.subjectAltName).toContain('URI:agentlink://agent/alpha');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.verify(new X509Certificate(dev.ca.certPem).publicKey)).toBe(true);
    expect(verifiedPeerIdentity(cert, 'client', undefined, { development: true }).agentId).toBe('alpha');
    const refusal = { code: 'ERR_PEER_CERT_POLICY', reason: 'development-certificate' };
    const refused = expect.objectContaining(refusal) as never;
    expect(() => verifiedPeerIdentity(cert, 'client')).toThrow(refused);
    expect(isDevelopmentCertificate(new X509Certificate(fleet.certPem))).toBe(false);
  });

  it('generates development certificates whatever NODE_ENV says (calling it is the explicit step)', async () => {
    setNodeEnv('production');
    const made = await createDevelopmentCredentials({ agentIds: ['x'] });
    expect(isDevelopmentCertificate(new X509Certificate(made.agents['x']!.certPem))).toBe(true);
  });

  it.each([
    ['QUIC', (o: ConstructorParameters<typeof TcpTlsTransport>[0]) => new QuicTransport(o)],
    ['TCP', (o: ConstructorParameters<typeof TcpTlsTransport>[0]) => new TcpTlsTransport(o)],
  ])('%s refuses development material without development: true, whatever NODE_ENV says', (_name, make) => {
    const devCreds = dev.agents['alpha']!;
    type Options = Parameters<typeof make>[0];
    const cases: Array<[Options, string]> = [
      [{ credentials: devCreds }, 'ERR_DEV_CERTS_IN_PRODUCTION'],
      [{ credentials: devCreds, development: false }, 'ERR_DEV_CERTS_IN_PRODUCTION'],
      [{ credentials: fleet, insecureSkipPeerVerification: true }, 'ERR_VERIFICATION_DISABLED_IN_PRODUCTION'],
      [{ credentials: fleet }, 'accepted'],
      [{ credentials: devCreds, development: true }, 'accepted'],
      [{ credentials: fleet, development: true, insecureSkipPeerVerification: true }, 'accepted'],
    ];
    for (const value of NODE_ENVS) {
      setNodeEnv(value);
      for (const [options, expected] of cases) {
        expect([value, options, thrownCode(() => make(options)) ?? 'accepted']).toEqual([value, options, expected]);
      }
    }
    expect(() => make({ credentials: devCreds })).toThrow(ProductionGuardError);
    // A CA marked for development in caPem is refused too, naming the field.
    const devCa = { ...fleet, caPem: `${fleet.caPem}${dev.ca.certPem}` };
    expect(() => make({ credentials: devCa })).toThrow(/\(credentials\.caPem\) is a development certificate/);
    // The old switch is gone: setting it must not silently do nothing.
    const legacy = { credentials: devCreds, allowDevelopmentCertificates: true } as never;
    expect(thrownCode(() => make(legacy))).toBe('ERR_INVALID_OPTIONS');
    expect(thrownCode(() => make({ credentials: fleet, development: 'yes' } as never))).toBe('ERR_INVALID_OPTIONS');
  });

  it('refuses a rotation to development certificates without development: true', () => {
    const transport = new TcpTlsTransport({ credentials: fleet });
    expect(thrownCode(() => transport.updateCredentials(dev.agents['beta']!))).toBe('ERR_DEV_CERTS_IN_PRODUCTION');
  });

  it('refuses an expired or not-yet-valid own certificate at start', async () => {
    const ca = await createCertificateAuthority();
    const now = Date.now();
    const expired = await issueCertificate(ca, {
      agentId: 'old',
      usage: 'both',
      notBefore: new Date(now - 2e9),
      notAfter: new Date(now - 1e9),
    });
    const future = await issueCertificate(ca, { agentId: 'new', usage: 'both', notBefore: new Date(now + 1e9) });
    expect(() => new TcpTlsTransport({ credentials: { ...expired, caPem: ca.certPem } })).toThrow(
      LocalCertificateInvalidError,
    );
    expect(() => new QuicTransport({ credentials: { ...future, caPem: ca.certPem } })).toThrow(
      LocalCertificateInvalidError,
    );
    const expiredError = expect.objectContaining({ reason: 'expired', field: 'credentials.certPem' }) as never;
    expect(() => new QuicTransport({ credentials: { ...expired, caPem: ca.certPem } })).toThrow(expiredError);
    const futureError = expect.objectContaining({ reason: 'not-yet-valid' }) as never;
    expect(() => new TcpTlsTransport({ credentials: { ...future, caPem: ca.certPem } })).toThrow(futureError);
  });

  it('validates options with typed errors', async () => {
    expect(thrownCode(() => new TcpTlsTransport({ credentials: { certPem: 'x', keyPem: 'y', caPem: 'z' } }))).toBe(
      'ERR_INVALID_OPTIONS',
    );
    expect(thrownCode(() => new TcpTlsTransport({ credentials: fleet, maxFrameBytes: -1 }))).toBe(
      'ERR_INVALID_OPTIONS',
    );
    expect(
      thrownCode(() => new QuicTransport({ credentials: fleet, keepAliveIntervalMs: 5000, maxIdleTimeoutMs: 1000 })),
    ).toBe('ERR_INVALID_OPTIONS');
    await expect(issueCertificate('self', { agentId: 'bad id!', usage: 'both' })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
    await expect(createCertificateAuthority({ notBefore: new Date(2), notAfter: new Date(1) })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
    });
  });

  it('reports seconds left on each certificate, at start and on demand', async () => {
    const transport = new TcpTlsTransport({ credentials: fleet });
    const reports: Array<{ subject: string; secondsLeft: number }> = [];
    transport.on('certificateExpiry', (e) => void reports.push(e));
    await transport.listen({ host: '127.0.0.1', port: 0 });
    expect(reports).toHaveLength(2);
    expect(reports[0]!.secondsLeft).toBeGreaterThan(80 * 86_400);
    expect(reports[0]!.secondsLeft).toBeLessThanOrEqual(90 * 86_400);
    expect(transport.checkCertificates()).toHaveLength(2);
    await transport.close();
  });

  it('repeats the expiry report periodically and stops at close()', async () => {
    const transport = new TcpTlsTransport({ credentials: fleet, certificateCheckIntervalMs: 10 });
    let reports = 0;
    transport.on('certificateExpiry', () => void (reports += 1));
    await transport.listen({ host: '127.0.0.1', port: 0 });
    await waitFor(() => reports >= 6, 5000, 'three periodic checks');
    await transport.close();
    // close() drops listeners too; listen again to prove the timer itself is gone.
    let afterClose = 0;
    transport.on('certificateExpiry', () => void (afterClose += 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(afterClose).toBe(0);
  });
});
