import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createCertificateAuthority,
  issueCertificate,
  TcpTlsTransport,
  type CertificateAuthority,
} from '@agentlink/transport';
import { startCredentialReloader } from '../../src/config/credential-reloader';
import { validateConfig } from '../../src/config/fleet-config';
import { loadCredentials } from '../../src/config/load-credentials';

const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

describe('credential reloader (real files, real TLS)', () => {
  let dir: string;
  let ca: CertificateAuthority;
  const tls = { certFile: '', keyFile: '', caFile: '' };
  const write = async (certPem: string, keyPem: string): Promise<void> => {
    await writeFile(tls.certFile, certPem);
    await writeFile(tls.keyFile, keyPem);
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'qe-fleet-reload-'));
    ca = await createCertificateAuthority({ commonName: 'reload test CA' });
    Object.assign(tls, {
      certFile: path.join(dir, 'tls.crt'),
      keyFile: path.join(dir, 'tls.key'),
      caFile: path.join(dir, 'ca.crt'),
    });
    await writeFile(tls.caFile, ca.certPem);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('applies renewed files to new connections and keeps serving through a half-written renewal', async () => {
    const first = await issueCertificate(ca, { agentId: 'coordinator', usage: 'both' });
    await write(first.certPem, first.keyPem);
    const config = validateConfig(
      {
        agent: { id: 'coordinator', role: 'coordinator' },
        listen: { udpPort: 0 },
        tls: { ...tls, reloadIntervalS: 0 },
        peers: [
          { id: 'analyser', role: 'analyser', host: '127.0.0.1', udpPort: 1 },
          { id: 'reporter', role: 'reporter', host: '127.0.0.1', udpPort: 2 },
        ],
      },
      'reload.json',
    );
    const initial = await loadCredentials(config, 'reload.json');
    const server = new TcpTlsTransport({ credentials: initial });
    server.handle('echo', (body) => body);
    const client = new TcpTlsTransport({
      credentials: { ...(await issueCertificate(ca, { agentId: 'executor-1', usage: 'both' })), caPem: ca.certPem },
    });
    const lines: string[] = [];
    const reloader = startCredentialReloader({
      load: () => loadCredentials(config, 'reload.json'),
      apply: (next) => server.updateCredentials(next),
      initial,
      intervalMs: 0,
      log: (line) => lines.push(line),
    });
    try {
      const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
      expect(await reloader.reloadNow()).toBe(false); // files unchanged

      const renewed = await issueCertificate(ca, { agentId: 'coordinator', usage: 'both' });
      // The certificate is rewritten before the key: the mismatched pair is refused and the old one kept.
      await write(renewed.certPem, first.keyPem);
      expect(await reloader.reloadNow()).toBe(false);
      expect(reloader.stats).toEqual({ applied: 0, failed: 1 });
      expect(lines.at(-1)).toMatch(/reload failed \(ERR_INVALID_OPTIONS/);
      const during = await client.dial({ host: '127.0.0.1', port });
      expect(during.peer.fingerprint256).toBe(fingerprint(first.certPem));

      await write(renewed.certPem, renewed.keyPem);
      expect(await reloader.reloadNow()).toBe(true);
      expect(reloader.stats).toEqual({ applied: 1, failed: 1 });
      const after = await client.dial({ host: '127.0.0.1', port });
      expect(after.peer.fingerprint256).toBe(fingerprint(renewed.certPem));
      expect(Buffer.from(await during.request('echo', Buffer.from('old connection'))).toString()).toBe(
        'old connection',
      );
    } finally {
      reloader.close();
      await Promise.all([client.close({ force: true }), server.close({ force: true })]);
    }
  });

  it('polls on its own at the configured interval and stops on close', async () => {
    let loads = 0;
    const credentials = { certPem: 'c', keyPem: 'k', caPem: 'a' };
    const reloader = startCredentialReloader({
      load: async () => {
        loads += 1;
        return credentials;
      },
      apply: () => undefined,
      initial: credentials,
      intervalMs: 5,
      log: () => undefined,
    });
    const deadline = Date.now() + 5_000;
    while (loads < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    reloader.close();
    expect(loads).toBeGreaterThanOrEqual(2);
    const stopped = loads;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(loads).toBe(stopped);
  });
});
