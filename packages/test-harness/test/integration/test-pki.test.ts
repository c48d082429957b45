import { describe, it, expect, beforeAll } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { once } from 'node:events';
import { createTestPki, type TestCredentials, type TestPki } from '../../src/pki/test-pki';

/** Starts a TLS 1.3 server that requires a client certificate from `server.caPem`'s CA. */
async function tlsServer(server: TestCredentials): Promise<{ port: number; close(): Promise<void> }> {
  const srv = tls.createServer({
    cert: server.certPem,
    key: server.keyPem,
    ca: server.caPem,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.3',
  });
  srv.on('secureConnection', (socket) => socket.end('ok'));
  srv.on('tlsClientError', () => undefined);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return {
    port: (srv.address() as { port: number }).port,
    close: () => new Promise<void>((resolve) => srv.close(() => resolve())),
  };
}

/** Connects with `client` credentials; resolves 'ok' or the error code/message. */
function tlsConnect(port: number, client: TestCredentials, servername = 'localhost'): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ port, host: '127.0.0.1', servername, cert: client.certPem, key: client.keyPem, ca: client.caPem, minVersion: 'TLSv1.3' });
    let data = '';
    socket.on('data', (chunk) => (data += chunk));
    socket.on('end', () => resolve(data === 'ok' ? 'ok' : `refused:${data}`));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve(err.code ?? err.message);
    });
  });
}

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
    for (const kind of Object.keys(pki.bad) as (keyof TestPki['bad'])[]) {
      expect(cert(kind).subjectAltName).toContain('agentlink://agent/coordinator');
      expect(pki.bad[kind].caPem).toBe(pki.ca.certPem);
    }
  });

  it('real TLS 1.3 with mutual authentication accepts good clients and refuses every bad one', async () => {
    const server = await tlsServer(pki.agents.coordinator);
    try {
      expect(await tlsConnect(server.port, pki.agents['executor-1'])).toBe('ok');
      for (const kind of ['expired', 'notYetValid', 'wrongCa', 'selfSigned', 'wrongUsage'] as const) {
        expect([kind, await tlsConnect(server.port, pki.bad[kind])]).not.toEqual([kind, 'ok']);
      }
    } finally {
      await server.close();
    }
  });

  it('a client refuses servers presenting bad certificates, including a wrong SAN', async () => {
    for (const kind of ['expired', 'notYetValid', 'wrongCa', 'wrongSan', 'selfSigned'] as const) {
      const server = await tlsServer(pki.bad[kind]);
      try {
        const outcome = await tlsConnect(server.port, pki.agents['executor-1']);
        expect([kind, outcome]).not.toEqual([kind, 'ok']);
        if (kind === 'wrongSan') expect(outcome).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
        if (kind === 'expired') expect(outcome).toBe('CERT_HAS_EXPIRED');
        if (kind === 'notYetValid') expect(outcome).toBe('CERT_NOT_YET_VALID');
      } finally {
        await server.close();
      }
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
