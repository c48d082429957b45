import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createCertificateAuthority,
  issueCertificate,
  type CertificateAuthority,
} from '../../src/pki/certificate-authority';
import { QuicTransport } from '../../src/quic/quic-transport';
import type { TlsCredentials, TransportEvents } from '../../src/types';
import { waitFor } from '../helpers';
import { failOnUncaughtErrors } from '../support/no-uncaught';

// Interoperability with an independent QUIC stack: ngtcp2's GnuTLS example client and server
// (Debian ngtcp2-client / ngtcp2-server). They speak HTTP/3 (ALPN h3), so our side is given
// that ALPN; what is tested is the handshake and the certificate verdicts, both ways.
const CLIENT = '/usr/bin/gtlsclient';
const SERVER = '/usr/sbin/gtlsserver';
const DAY = 86_400_000;

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const available = executable(CLIENT) && executable(SERVER);
const required = process.env['AGENTLINK_REQUIRE_NGTCP2'] === '1';
if (!available && !required) {
  console.warn(`ngtcp2 interop skipped: ${CLIENT} or ${SERVER} missing (apt-get install ngtcp2-client ngtcp2-server)`);
}
const suite = available || required ? describe : describe.skip;

interface Run {
  readonly code: number | null;
  readonly output: string;
}

function run(file: string, args: string[], timeoutMs = 10_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** True once some process has a UDP socket bound to `port` (gtlsserver prints nothing when ready). */
function udpBound(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  return readFileSync('/proc/net/udp', 'utf8').includes(hex);
}

suite('ngtcp2 interoperability', () => {
  failOnUncaughtErrors();
  let dir: string;
  let ca: CertificateAuthority;
  let listenerCredentials: TlsCredentials;
  const files = (name: string, cert: { certPem: string; keyPem: string }): { cert: string; key: string } => {
    const paths = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
    writeFileSync(paths.cert, cert.certPem);
    writeFileSync(paths.key, cert.keyPem);
    return paths;
  };

  beforeAll(async () => {
    expect(available).toBe(true); // AGENTLINK_REQUIRE_NGTCP2=1 (CI): missing binaries fail here
    dir = mkdtempSync(path.join(tmpdir(), 'agentlink-ngtcp2-'));
    ca = await createCertificateAuthority({ commonName: 'interop fleet CA' });
    const listener = await issueCertificate(ca, { agentId: 'our-listener', usage: 'both' });
    listenerCredentials = { certPem: listener.certPem, keyPem: listener.keyPem, caPem: ca.certPem };
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  describe("ngtcp2's client against our listener", () => {
    let listener: QuicTransport;
    let port: number;
    let opened: Array<TransportEvents['connectionOpened']>;
    let errors: Array<TransportEvents['transportError']>;

    beforeAll(async () => {
      listener = new QuicTransport({ credentials: listenerCredentials, alpn: ['h3'] });
      listener.on('connectionOpened', (event) => void opened.push(event));
      listener.on('transportError', (event) => void errors.push(event));
      port = (await listener.listen({ host: '127.0.0.1', port: 0 })).port;
    });
    afterAll(async () => {
      await listener.close();
    });

    const dialWith = async (cert?: { certPem: string; keyPem: string }): Promise<Run> => {
      opened = [];
      errors = [];
      const args = [
        '--timeout=3s',
        '--handshake-timeout=3s',
        '--exit-on-all-streams-close',
        '--no-quic-dump',
        '--no-http-dump',
      ];
      if (cert !== undefined) {
        const paths = files(`client-${Math.random().toString(36).slice(2)}`, cert);
        args.push(`--key=${paths.key}`, `--cert=${paths.cert}`);
      }
      return run(CLIENT, [...args, '127.0.0.1', String(port), `https://127.0.0.1:${port}/`]);
    };

    it('completes a handshake with a good fleet certificate (and survives its HTTP/3 streams)', async () => {
      const good = await issueCertificate(ca, { agentId: 'ngtcp2-agent', usage: 'client' });
      const result = await dialWith(good);
      expect(result.output).toContain('QUIC handshake has completed');
      expect(result.output).toContain('Negotiated ALPN is h3');
      await waitFor(() => opened.length === 1, 3000, 'connectionOpened on our listener');
      expect(opened[0]).toMatchObject({ peer: 'ngtcp2-agent', direction: 'inbound' });
      // Its request is HTTP/3, not agentlink/1: a framing error closes that connection only.
      expect(errors.map((e) => e.code).filter((code) => !code.startsWith('ERR_FRAME'))).toEqual([]);
    }, 20_000);

    // TLS 1.3 verifies the client last: ngtcp2 completes its side, then gets our TLS alert
    // (0x100 + alert) in a CONNECTION_CLOSE.
    it.each([
      ['no certificate', '0x174', async () => undefined],
      [
        'an expired certificate',
        '0x12d',
        async () =>
          issueCertificate(ca, {
            agentId: 'expired',
            usage: 'client',
            notBefore: new Date(Date.now() - 10 * DAY),
            notAfter: new Date(Date.now() - DAY),
          }),
      ],
      [
        'a certificate from another CA',
        '0x130',
        async () =>
          issueCertificate(await createCertificateAuthority({ commonName: 'other CA' }), {
            agentId: 'intruder',
            usage: 'client',
          }),
      ],
    ])(
      'refuses a client with %s (TLS alert %s)',
      async (_label, alert, make) => {
        const result = await dialWith(await make());
        await waitFor(() => errors.length > 0, 3000, 'the refusal on our listener');
        expect(errors).toEqual([expect.objectContaining({ code: 'ERR_CERT_VERIFICATION', reason: 'chain' })]);
        expect(opened).toEqual([]);
        expect(result.output).toContain(`CONNECTION_CLOSE(0x1c) error_code=CRYPTO_ERROR(${alert})`);
      },
      20_000,
    );
  });

  describe("our client against ngtcp2's server", () => {
    let server: ChildProcess | undefined;
    afterAll(() => {
      server?.kill('SIGKILL');
    });

    async function startServer(cert: { certPem: string; keyPem: string }): Promise<number> {
      server?.kill('SIGKILL');
      const port = await freeUdpPort();
      const paths = files(`server-${port}`, cert);
      server = spawn(SERVER, ['--quiet', '127.0.0.1', String(port), paths.key, paths.cert], { stdio: 'ignore' });
      await waitFor(() => udpBound(port), 5000, 'gtlsserver to bind');
      return port;
    }

    it.each([
      ['accepts a server with a good fleet certificate', 'good'],
      ['refuses a server whose certificate comes from another CA', 'other CA'],
      ['refuses a server with an expired certificate', 'expired'],
    ] as const)(
      '%s',
      async (_label, kind) => {
        const issuer = kind === 'other CA' ? await createCertificateAuthority({ commonName: 'rogue CA' }) : ca;
        const dates =
          kind === 'expired'
            ? { notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) }
            : {};
        const port = await startServer(
          await issueCertificate(issuer, { agentId: 'ngtcp2-server', usage: 'server', ...dates }),
        );
        const client = new QuicTransport({
          credentials: listenerCredentials,
          alpn: ['h3'],
          dialMode: 'eager',
          connectTimeoutMs: 5000,
        });
        try {
          const outcome = await client.dial({ host: '127.0.0.1', port }).then(
            (connection) => ({ accepted: connection.peer.agentId }),
            (error: unknown) => ({
              refused: (error as { code?: string; reason?: string }).code,
              reason: (error as { reason?: string }).reason,
            }),
          );
          if (kind === 'good') expect(outcome).toEqual({ accepted: 'ngtcp2-server' });
          else {
            const alert = kind === 'expired' ? 'certificate_expired' : 'unknown_ca';
            expect(outcome).toEqual({ refused: 'ERR_CERT_VERIFICATION', reason: expect.stringContaining(alert) });
          }
        } finally {
          await client.close();
        }
      },
      20_000,
    );
  });
});
