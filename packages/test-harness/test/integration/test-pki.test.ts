import { describe, it, expect, beforeAll } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { once } from 'node:events';
import { ALPN_PROTOCOL, encodeFrame, FrameType, TcpTlsTransport } from '@agentlink/transport';
import { createTestPki, type TestCredentials, type TestPki } from '../../src/pki/test-pki';

/** Resolves once `predicate` holds (polled every 5 ms), or rejects after 3 s. */
async function waitUntil(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met within 3 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** OpenSSL security level 0: a raw peer may load the weak keys of the catalogue (rsa1024). */
const RAW_CIPHERS = 'DEFAULT:@SECLEVEL=0';
type TransportError = { transport: string; peer?: string; code: string; reason?: string };

/** A raw TLS 1.3 server presenting `credentials`; counts the bytes any client sent it. */
async function rawServer(
  credentials: TestCredentials,
): Promise<{ port: number; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const srv = tls.createServer({
    cert: credentials.certPem,
    key: credentials.keyPem,
    minVersion: 'TLSv1.3',
    ALPNProtocols: [ALPN_PROTOCOL],
    ciphers: RAW_CIPHERS,
  });
  srv.on('secureConnection', (socket) =>
    socket.on('data', (chunk: Buffer) => (received += chunk.length)).on('error', () => undefined),
  );
  srv.on('tlsClientError', () => undefined);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return {
    port: (srv.address() as { port: number }).port,
    received: () => received,
    close: () => new Promise<void>((resolve) => srv.close(() => resolve())),
  };
}

/** A raw TLS 1.3 client presenting `credentials`; resolves once the listener closed it or sent its hello. */
function rawClient(port: number, credentials: TestCredentials): Promise<'accepted' | 'refused'> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      cert: credentials.certPem,
      key: credentials.keyPem,
      ca: credentials.caPem,
      minVersion: 'TLSv1.3',
      ALPNProtocols: [ALPN_PROTOCOL],
      ciphers: RAW_CIPHERS,
    });
    // A request right behind the handshake: a refused client's must never reach a handler.
    // Request payload: [method length u8][method][body] (agentlink/1).
    const request = encodeFrame(
      FrameType.Request,
      1,
      Buffer.concat([Buffer.from([7]), Buffer.from('guardedx')]),
      1024,
    );
    socket.once('secureConnect', () => socket.write(request));
    socket.once('data', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.on('error', () => resolve('refused'));
    socket.on('close', () => resolve('refused'));
  });
}

/** How the transport refuses each bad certificate: [code, refusal reason]. OpenSSL decides some first. */
const REFUSED_CLIENTS: Partial<Record<keyof TestPki['bad'], [string, string]>> = {
  expired: ['ERR_CERT_VERIFICATION', 'chain'],
  notYetValid: ['ERR_CERT_VERIFICATION', 'chain'],
  wrongCa: ['ERR_CERT_VERIFICATION', 'chain'],
  selfSigned: ['ERR_CERT_VERIFICATION', 'chain'],
  wrongUsage: ['ERR_CERT_VERIFICATION', 'chain'],
  caLeaf: ['ERR_PEER_CERT_POLICY', 'ca-certificate'],
  rsa1024: ['ERR_CERT_VERIFICATION', 'chain'],
  unsupportedCurve: ['ERR_PEER_CERT_POLICY', 'ec-curve'],
  noEku: ['ERR_PEER_CERT_POLICY', 'extended-key-usage'],
};
const REFUSED_SERVERS: Partial<Record<keyof TestPki['bad'], [string, string]>> = {
  ...REFUSED_CLIENTS,
  wrongUsage: undefined,
  wrongSan: ['ERR_PEER_IDENTITY', 'identity'],
};

describe('test PKI', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki({ agentIds: ['coordinator', 'executor-1'] });
  });

  it('issues good agent certificates chained to the fleet CA with SANs and both usages', () => {
    const ca = new X509Certificate(pki.ca.certPem);
    expect(ca.ca).toBe(true);
    for (const id of ['coordinator', 'executor-1']) {
      const cert = new X509Certificate(pki.agents[id].certPem);
      expect(cert.checkIssued(ca)).toBe(true);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(cert.checkHost('localhost')).toBe('localhost');
      expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(cert.subjectAltName).toContain(`agentlink://agent/${id}`);
      expect(cert.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
      expect(pki.agents[id].caPem).toBe(pki.ca.certPem);
    }
  });

  it('makes each bad certificate bad in exactly its own way', () => {
    const ca = new X509Certificate(pki.ca.certPem);
    const now = Date.now();
    const cert = (kind: keyof TestPki['bad']): X509Certificate => new X509Certificate(pki.bad[kind].certPem);
    expect(Date.parse(cert('expired').validTo)).toBeLessThan(now);
    expect(cert('expired').checkIssued(ca)).toBe(true);
    expect(Date.parse(cert('notYetValid').validFrom)).toBeGreaterThan(now);
    expect(cert('wrongCa').checkIssued(ca)).toBe(false);
    expect(cert('wrongCa').checkIssued(new X509Certificate(pki.otherCa.certPem))).toBe(true);
    expect(cert('wrongSan').checkHost('localhost')).toBeUndefined();
    expect(cert('wrongSan').checkIP('127.0.0.1')).toBeUndefined();
    expect(cert('wrongSan').checkIssued(ca)).toBe(true);
    expect(cert('selfSigned').issuer).toBe(cert('selfSigned').subject);
    expect(cert('selfSigned').checkIssued(ca)).toBe(false);
    expect(cert('wrongUsage').keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert('caLeaf').ca).toBe(true);
    expect(cert('caLeaf').keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    expect(cert('rsa1024').publicKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(cert('unsupportedCurve').publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp521r1');
    expect(cert('noEku').keyUsage).toBeUndefined();
    for (const kind of ['caLeaf', 'rsa1024', 'unsupportedCurve', 'noEku'] as const)
      expect(cert(kind).checkIssued(ca)).toBe(true);
    for (const kind of Object.keys(pki.bad) as (keyof TestPki['bad'])[]) {
      expect(cert(kind).subjectAltName).toContain('agentlink://agent/coordinator');
      expect(pki.bad[kind].caPem).toBe(pki.ca.certPem);
    }
  });

  it('a TcpTlsTransport listener refuses each bad client certificate, typed, and never runs a handler', async () => {
    const server = new TcpTlsTransport({ credentials: pki.agents.coordinator });
    let handled = 0;
    server.handle('guarded', () => void (handled += 1));
    const errors: TransportError[] = [];
    server.on('transportError', (e) => void errors.push(e));
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      expect(await rawClient(port, pki.agents['executor-1'])).toBe('accepted');
      await waitUntil(() => handled === 1);
      for (const [kind, [code, reason]] of Object.entries(REFUSED_CLIENTS) as Array<[string, [string, string]]>) {
        errors.length = 0;
        expect([kind, await rawClient(port, pki.bad[kind as keyof TestPki['bad']])]).toEqual([kind, 'refused']);
        await waitUntil(() => errors.length > 0);
        expect([kind, errors]).toEqual([
          kind,
          [{ transport: 'tcp', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/), code, reason }],
        ]);
      }
      expect(handled).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('a TcpTlsTransport dialer refuses each bad server certificate, typed, and sends it nothing', async () => {
    const client = new TcpTlsTransport({ credentials: pki.agents['executor-1'], connectTimeoutMs: 3000 });
    try {
      for (const [kind, [code, reason]] of Object.entries(REFUSED_SERVERS).filter(([, v]) => v !== undefined) as Array<
        [string, [string, string]]
      >) {
        const server = await rawServer(pki.bad[kind as keyof TestPki['bad']]);
        try {
          const error = await client.dial({ host: '127.0.0.1', port: server.port }).catch((e: unknown) => e);
          expect([kind, error]).toEqual([
            kind,
            expect.objectContaining({
              code,
              retryable: false,
              ...(code === 'ERR_PEER_CERT_POLICY' ? { reason } : {}),
            }),
          ]);
          expect([kind, server.received()]).toEqual([kind, 0]);
        } finally {
          await server.close();
        }
      }
    } finally {
      await client.close();
    }
  });

  it('writes every credential set to a directory with private keys mode 0600', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'al-pki-'));
    try {
      const files = await pki.writeToDirectory(dir);
      expect(await readFile(files.caCertPath, 'utf8')).toBe(pki.ca.certPem);
      expect(await readFile(files.agents.coordinator.keyPath, 'utf8')).toBe(pki.agents.coordinator.keyPem);
      expect(await readFile(files.bad.wrongCa.certPath, 'utf8')).toBe(pki.bad.wrongCa.certPem);
      expect((await stat(files.caKeyPath)).mode & 0o777).toBe(0o600);
      expect((await stat(files.agents['executor-1'].keyPath)).mode & 0o777).toBe(0o600);
      expect(files.agents['executor-1'].certPath).toBe(path.join(dir, 'agents', 'executor-1', 'cert.pem'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('validates its options with ERR_INVALID_OPTIONS', async () => {
    await expect(createTestPki({ agentIds: [] })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
    await expect(createTestPki({ agentIds: ['a', 'a'] })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
    await expect(createTestPki({ agentIds: ['..'] })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
    await expect(createTestPki({ agentIds: ['bad id!'] })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
    await expect(createTestPki(undefined as never)).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
  });
});
