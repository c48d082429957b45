import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { ProductionGuardError, LocalCertificateInvalidError } from '../../src/errors';
import {
  createCertificateAuthority,
  createDevelopmentCredentials,
  issueCertificate,
  type DevelopmentCredentials,
} from '../../src/pki/certificate-authority';
import { agentIdOf, isDevelopmentCertificate, verifiedPeerIdentity } from '../../src/pki/certificate-inspection';
import { QuicTransport } from '../../src/quic/quic-transport';
import { TcpTlsTransport } from '../../src/tcp/tcp-tls-transport';
import type { TlsCredentials } from '../../src/types';
import { createTestPki, waitFor } from '../helpers';

const original = process.env['NODE_ENV'];

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
  afterEach(() => {
    process.env['NODE_ENV'] = original;
  });

  it('marks development certificates and carries the agent identity in CN and SAN URI', () => {
    const cert = new X509Certificate(dev.agents['alpha']!.certPem);
    expect(isDevelopmentCertificate(cert)).toBe(true);
    expect(agentIdOf(cert)).toBe('alpha');
    expect(cert.subjectAltName).toContain('URI:agentlink://agent/alpha');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.verify(new X509Certificate(dev.ca.certPem).publicKey)).toBe(true);
    expect(verifiedPeerIdentity(cert, 'client').agentId).toBe('alpha');
    expect(isDevelopmentCertificate(new X509Certificate(fleet.certPem))).toBe(false);
  });

  it('refuses to generate development certificates in production', async () => {
    process.env['NODE_ENV'] = 'production';
    await expect(createDevelopmentCredentials({ agentIds: ['x'] })).rejects.toMatchObject({ code: 'ERR_DEV_CERTS_IN_PRODUCTION' });
  });

  it.each([
    ['QUIC', (o: ConstructorParameters<typeof TcpTlsTransport>[0]) => new QuicTransport(o)],
    ['TCP', (o: ConstructorParameters<typeof TcpTlsTransport>[0]) => new TcpTlsTransport(o)],
  ])('%s refuses development certificates and disabled verification at start in production', (_name, make) => {
    process.env['NODE_ENV'] = 'production';
    const devCreds = dev.agents['alpha']!;
    expect(() => make({ credentials: devCreds })).toThrow(ProductionGuardError);
    expect(thrownCode(() => make({ credentials: devCreds }))).toBe('ERR_DEV_CERTS_IN_PRODUCTION');
    expect(thrownCode(() => make({ credentials: fleet, insecureSkipPeerVerification: true }))).toBe('ERR_VERIFICATION_DISABLED_IN_PRODUCTION');
    expect(() => make({ credentials: fleet, allowDevelopmentCertificates: true })).toThrow(ProductionGuardError);
    expect(() => make({ credentials: fleet })).not.toThrow();
    process.env['NODE_ENV'] = 'development';
    expect(() => make({ credentials: devCreds })).not.toThrow();
    expect(() => make({ credentials: devCreds, allowDevelopmentCertificates: false })).toThrow(ProductionGuardError);
  });

  it('refuses an expired or not-yet-valid own certificate at start', async () => {
    const ca = await createCertificateAuthority();
    const now = Date.now();
    const expired = await issueCertificate(ca, { agentId: 'old', usage: 'both', notBefore: new Date(now - 2e9), notAfter: new Date(now - 1e9) });
    const future = await issueCertificate(ca, { agentId: 'new', usage: 'both', notBefore: new Date(now + 1e9) });
    expect(() => new TcpTlsTransport({ credentials: { ...expired, caPem: ca.certPem } })).toThrow(LocalCertificateInvalidError);
    expect(() => new QuicTransport({ credentials: { ...future, caPem: ca.certPem } })).toThrow(LocalCertificateInvalidError);
  });

  it('validates options with typed errors', async () => {
    expect(thrownCode(() => new TcpTlsTransport({ credentials: { certPem: 'x', keyPem: 'y', caPem: 'z' } }))).toBe('ERR_INVALID_OPTIONS');
    expect(thrownCode(() => new TcpTlsTransport({ credentials: fleet, maxFrameBytes: -1 }))).toBe('ERR_INVALID_OPTIONS');
    expect(thrownCode(() => new QuicTransport({ credentials: fleet, keepAliveIntervalMs: 5000, maxIdleTimeoutMs: 1000 }))).toBe('ERR_INVALID_OPTIONS');
    await expect(issueCertificate('self', { agentId: 'bad id!', usage: 'both' })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
    await expect(createCertificateAuthority({ notBefore: new Date(2), notAfter: new Date(1) })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
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
