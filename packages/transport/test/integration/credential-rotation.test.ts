import { X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidOptionsError } from '@agentlink/resilience';
import { createCertificateAuthority, issueCertificate } from '../../src/pki/certificate-authority';
import { LocalCertificateInvalidError, TransportStateError } from '../../src/errors';
import { FallbackTransport } from '../../src/fallback-transport';
import { QuicTransport } from '../../src/quic/quic-transport';
import { TcpTlsTransport } from '../../src/tcp/tcp-tls-transport';
import type { TlsCredentials, Transport } from '../../src/types';
import { createTestPki, text, utf8, type TestPki } from '../helpers';

type Kind = 'quic' | 'tcp';
type RotatingTransport = Transport & { updateCredentials(credentials: TlsCredentials): void };

describe.each<Kind>(['quic', 'tcp'])('updateCredentials over %s', (kind) => {
  let pki: TestPki;
  const open: RotatingTransport[] = [];
  const make = (credentials: TlsCredentials): RotatingTransport => {
    const transport =
      kind === 'quic' ? new QuicTransport({ credentials, retry: false }) : new TcpTlsTransport({ credentials });
    open.push(transport);
    return transport;
  };
  const fingerprintOf = (certPem: string): string => new X509Certificate(certPem).fingerprint256;

  beforeAll(async () => {
    pki = await createTestPki();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((transport) => transport.close({ force: true })));
  });

  it('serves new connections with the renewed certificate and keeps open ones', async () => {
    const server = make(pki.server);
    server.handle('echo', (body) => body);
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const client = make(pki.client);
    const before = await client.dial({ host: '127.0.0.1', port });
    expect(before.peer.fingerprint256).toBe(fingerprintOf(pki.server.certPem));

    const renewed = await issueCertificate(pki.ca, { agentId: 'server-agent', usage: 'both' });
    server.updateCredentials({ certPem: renewed.certPem, keyPem: renewed.keyPem, caPem: pki.ca.certPem });

    const after = await client.dial({ host: '127.0.0.1', port });
    expect(after.peer.fingerprint256).toBe(fingerprintOf(renewed.certPem));
    expect(after.peer.agentId).toBe('server-agent');
    expect(text(await after.request('echo', utf8('new')))).toBe('new');
    expect(text(await before.request('echo', utf8('old')))).toBe('old');
  });

  it('trusts only the new CA for new connections after a CA rotation', async () => {
    const nextCa = await createCertificateAuthority({ commonName: 'next fleet CA' });
    const nextServer = await issueCertificate(nextCa, { agentId: 'server-agent', usage: 'both' });
    const nextClient = await issueCertificate(nextCa, { agentId: 'client-agent', usage: 'both' });
    const server = make(pki.server);
    server.handle('echo', (body) => body);
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const oldClient = make(pki.client);
    const survivor = await oldClient.dial({ host: '127.0.0.1', port });

    server.updateCredentials({ certPem: nextServer.certPem, keyPem: nextServer.keyPem, caPem: nextCa.certPem });

    // An agent still on the old CA can no longer open a connection (fail closed) ...
    await expect(oldClient.dial({ host: '127.0.0.1', port }, { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: expect.stringMatching(/^ERR_(TLS_HANDSHAKE|CERT_VERIFICATION)$/),
    });
    // ... its open connection is not cut ...
    expect(text(await survivor.request('echo', utf8('still here')))).toBe('still here');
    // ... and an agent rotated the same way gets in.
    const newClient = make(pki.client);
    newClient.updateCredentials({ certPem: nextClient.certPem, keyPem: nextClient.keyPem, caPem: nextCa.certPem });
    const fresh = await newClient.dial({ host: '127.0.0.1', port });
    expect(text(await fresh.request('echo', utf8('rotated')))).toBe('rotated');
  });

  it('refuses unusable credentials with a typed error and keeps the current ones', async () => {
    const server = make(pki.server);
    server.handle('echo', (body) => body);
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const other = await issueCertificate(pki.ca, { agentId: 'other', usage: 'both' });
    const expired = await issueCertificate(pki.ca, {
      agentId: 'server-agent',
      usage: 'both',
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    expect(() =>
      server.updateCredentials({ certPem: pki.server.certPem, keyPem: other.keyPem, caPem: pki.ca.certPem }),
    ).toThrow(InvalidOptionsError);
    expect(() =>
      server.updateCredentials({ certPem: pki.server.certPem, keyPem: 'not a key', caPem: pki.ca.certPem }),
    ).toThrow(/not a usable private key/);
    expect(() =>
      server.updateCredentials({ certPem: expired.certPem, keyPem: expired.keyPem, caPem: pki.ca.certPem }),
    ).toThrow(LocalCertificateInvalidError);
    expect(() => server.updateCredentials({ certPem: '', keyPem: '', caPem: '' })).toThrow(InvalidOptionsError);

    const client = make(pki.client);
    const connection = await client.dial({ host: '127.0.0.1', port });
    expect(connection.peer.fingerprint256).toBe(fingerprintOf(pki.server.certPem));
    expect(text(await connection.request('echo', utf8('unchanged')))).toBe('unchanged');
  });

  it('reports the new certificates through certificateExpiry and refuses updates once closed', async () => {
    const server = make(pki.server);
    await server.listen({ host: '127.0.0.1', port: 0 });
    const renewed = await issueCertificate(pki.ca, {
      agentId: 'server-agent',
      usage: 'both',
      notAfter: new Date(Date.now() + 5 * 86_400_000),
    });
    const reports: Array<{ subject: string; secondsLeft: number }> = [];
    server.on('certificateExpiry', (report) => reports.push(report));
    server.updateCredentials({ certPem: renewed.certPem, keyPem: renewed.keyPem, caPem: pki.ca.certPem });
    expect(reports.some((report) => report.secondsLeft <= 5 * 86_400 && report.secondsLeft > 4 * 86_400)).toBe(true);
    await server.close();
    expect(() => server.updateCredentials(pki.server)).toThrow(TransportStateError);
  });
});

describe('FallbackTransport.updateCredentials', () => {
  it('rotates both inner transports, or neither when the credentials are unusable', async () => {
    const pki = await createTestPki();
    const quic = new QuicTransport({ credentials: pki.server });
    const tcp = new TcpTlsTransport({ credentials: pki.server });
    const fallback = new FallbackTransport({ quic, tcp });
    try {
      const notAfter = new Date(Date.now() + 3 * 86_400_000);
      const renewed = await issueCertificate(pki.ca, { agentId: 'server-agent', usage: 'both', notAfter });
      const other = await issueCertificate(pki.ca, { agentId: 'other', usage: 'both' });
      const leafDaysLeft = (transport: QuicTransport | TcpTlsTransport): number =>
        Math.round(transport.checkCertificates()[0]!.secondsLeft / 86_400);
      const before = leafDaysLeft(quic);

      expect(() => fallback.updateCredentials({ ...pki.server, keyPem: other.keyPem })).toThrow(InvalidOptionsError);
      expect([leafDaysLeft(quic), leafDaysLeft(tcp)]).toEqual([before, before]);

      fallback.updateCredentials({ certPem: renewed.certPem, keyPem: renewed.keyPem, caPem: pki.ca.certPem });
      expect([leafDaysLeft(quic), leafDaysLeft(tcp)]).toEqual([3, 3]);
    } finally {
      await fallback.close();
    }
  });
});
