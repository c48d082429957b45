import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AgentlinkError } from '@agentlink/resilience';
import { QuicTransport } from '../../src/quic/quic-transport';
import { TcpTlsTransport } from '../../src/tcp/tcp-tls-transport';
import {
  createCertificateAuthority,
  issueCertificate,
  type CertificateAuthority,
  type IssueCertificateOptions,
} from '../../src/pki/certificate-authority';
import type { CertificatePolicyReason } from '../../src/security/policy-reasons';
import type { TlsCredentials, Transport, TransportEvents, TransportOptions } from '../../src/types';
import { text, utf8, waitFor } from '../helpers';
import { failOnUncaughtErrors } from '../support/no-uncaught';
import { rawClientAttempt, startRawServer } from '../support/raw-peers';

type Kind = 'quic' | 'tcp';
type Profile = Omit<IssueCertificateOptions, 'agentId' | 'usage'> & { usage?: IssueCertificateOptions['usage'] };

interface Rule {
  readonly label: string;
  readonly reason: CertificatePolicyReason;
  readonly profile: Profile;
  /**
   * Where a TLS library refuses the certificate before our policy runs, the typed error it gives
   * instead (still a refusal; both transports must refuse).
   */
  readonly refusedByLibrary?: Partial<Record<`${Kind} ${'dialer' | 'listener'}`, string>>;
}

/** One certificate per rule of the policy, each signed by the fleet CA and otherwise good. */
const RULES: readonly Rule[] = [
  {
    label: 'a CA:TRUE leaf with valid EKUs',
    reason: 'ca-certificate',
    profile: { basicConstraintsCa: true, keyUsage: ['digitalSignature', 'keyCertSign'] },
  },
  {
    label: 'a leaf with keyUsage keyCertSign',
    reason: 'key-usage',
    profile: { keyUsage: ['digitalSignature', 'keyCertSign'] },
  },
  {
    label: 'an RSA-1024 key',
    reason: 'key-size',
    profile: { key: { type: 'rsa', bits: 1024 } },
    // OpenSSL's security level refuses it first over TLS/TCP ("EE certificate key too weak").
    refusedByLibrary: { 'tcp dialer': 'ERR_CERT_VERIFICATION', 'tcp listener': 'ERR_CERT_VERIFICATION' },
  },
  { label: 'an unsupported curve (P-521)', reason: 'ec-curve', profile: { key: { type: 'ec', curve: 'P-521' } } },
  { label: 'no extended key usage', reason: 'extended-key-usage', profile: { usage: 'none' } },
  {
    label: 'a development certificate (no development flag)',
    reason: 'development-certificate',
    profile: { development: true },
  },
];

/** Keys the policy accepts. */
const GOOD_KEYS: ReadonlyArray<[string, Profile['key']]> = [
  ['EC P-256', { type: 'ec', curve: 'P-256' }],
  ['EC P-384', { type: 'ec', curve: 'P-384' }],
  ['Ed25519', { type: 'ed25519' }],
  ['RSA-2048', { type: 'rsa', bits: 2048 }],
];

const make = (kind: Kind, options: TransportOptions): Transport =>
  kind === 'quic'
    ? new QuicTransport({ connectTimeoutMs: 3000, ...options })
    : new TcpTlsTransport({ connectTimeoutMs: 3000, ...options });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

let ca: CertificateAuthority;
let good: TlsCredentials;
const bad = new Map<string, TlsCredentials>();

async function issue(agentId: string, profile: Profile): Promise<TlsCredentials> {
  const issued = await issueCertificate(ca, { agentId, usage: 'both', ...profile });
  return { certPem: issued.certPem, keyPem: issued.keyPem, caPem: ca.certPem };
}

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'policy test fleet CA' });
  good = await issue('good-agent', {});
  for (const rule of RULES) bad.set(rule.label, await issue('bad-agent', rule.profile));
});

describe.each(['quic', 'tcp'] as const)('certificate policy over %s', (kind) => {
  failOnUncaughtErrors();

  it.each(RULES)('refuses $label as its own certificate, at construction and at rotation', ({ label, reason }) => {
    const credentials = bad.get(label)!;
    const atStart = thrown(() => make(kind, { credentials }));
    const transport = make(kind, { credentials: good });
    const atRotation = thrown(() => transport.updateCredentials(credentials));
    for (const error of [atStart, atRotation]) {
      if (reason === 'development-certificate') {
        expect(error).toMatchObject({ name: 'ProductionGuardError', code: 'ERR_DEV_CERTS_IN_PRODUCTION' });
      } else {
        expect(error).toMatchObject({
          name: 'LocalCertificateInvalidError',
          code: 'ERR_LOCAL_CERT_INVALID',
          reason,
          field: 'credentials.certPem',
        });
        expect((error as Error).message).toContain('CN=bad-agent');
      }
    }
  });

  it.each(RULES)(
    'a dialer refuses a server presenting $label with a typed error naming the rule',
    async ({ label, reason, refusedByLibrary }) => {
      const server = await startRawServer(kind, bad.get(label)!, false);
      const client = make(kind, { credentials: good });
      const events: Array<TransportEvents['transportError']> = [];
      client.on('transportError', (e) => void events.push(e));
      try {
        const error = await client.dial({ host: '127.0.0.1', port: server.port }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AgentlinkError);
        const libraryCode = refusedByLibrary?.[`${kind} dialer`];
        if (libraryCode !== undefined) {
          expect((error as AgentlinkError).code).toBe(libraryCode);
          expect(events).toContainEqual({
            transport: kind,
            peer: `127.0.0.1:${server.port}`,
            code: libraryCode,
            reason: 'chain',
          });
        } else {
          expect(error).toMatchObject({ code: 'ERR_PEER_CERT_POLICY', reason, role: 'server' });
          expect(events).toContainEqual({
            transport: kind,
            peer: `127.0.0.1:${server.port}`,
            code: 'ERR_PEER_CERT_POLICY',
            reason,
          });
        }
        expect(client.connections.size).toBe(0);
      } finally {
        await client.close();
        await server.stop();
      }
    },
  );

  describe('listener', () => {
    let server: Transport;
    let port: number;
    let events: Array<TransportEvents['transportError']>;
    let handlerCalls = 0;

    beforeAll(async () => {
      server = make(kind, { credentials: good });
      server.handle('guarded', (body) => {
        handlerCalls += 1;
        return body;
      });
      server.on('transportError', (e) => void events.push(e));
      port = (await server.listen({ host: '127.0.0.1', port: 0 })).port;
    });
    beforeEach(() => {
      events = [];
    });
    afterAll(async () => {
      await server.close();
    });

    it.each(RULES)(
      'refuses a client presenting $label, never runs a handler for it, and says why',
      async ({ label, reason, refusedByLibrary }) => {
        const credentials = bad.get(label)!;
        expect(await rawClientAttempt(kind, port, credentials, ca.certPem)).toBe('refused');
        const libraryCode = refusedByLibrary?.[`${kind} listener`];
        if (libraryCode !== undefined) {
          await waitFor(() => events.some((e) => e.code === libraryCode), 3000, `${libraryCode} on the listener`);
          expect(events).toEqual([
            { transport: kind, peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/), code: libraryCode, reason: 'chain' },
          ]);
        } else {
          await waitFor(
            () => events.some((e) => e.code === 'ERR_PEER_CERT_POLICY'),
            3000,
            'ERR_PEER_CERT_POLICY on the listener',
          );
          expect(events).toEqual([
            {
              transport: kind,
              peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
              code: 'ERR_PEER_CERT_POLICY',
              reason,
            },
          ]);
        }
        expect(handlerCalls).toBe(0);
        expect(server.connections.size).toBe(0);
      },
    );

    it.each(GOOD_KEYS)('accepts a client with a %s key both ways', async (_name, key) => {
      const credentials = await issue('good-key', { key });
      const client = make(kind, { credentials });
      try {
        const connection = await client.dial({ host: '127.0.0.1', port });
        expect(connection.peer.agentId).toBe('good-agent');
        expect(text(await connection.request('guarded', utf8('ok')))).toBe('ok');
        expect(handlerCalls).toBe(1);
      } finally {
        handlerCalls = 0;
        await client.close();
      }
      // ...and as the listener's certificate, dialled by the good agent.
      const listener = make(kind, { credentials });
      listener.handle('echo', (body) => body);
      const dialer = make(kind, { credentials: good });
      try {
        const { port: listenerPort } = await listener.listen({ host: '127.0.0.1', port: 0 });
        const connection = await dialer.dial({ host: '127.0.0.1', port: listenerPort });
        expect(connection.peer.agentId).toBe('good-key');
        expect(text(await connection.request('echo', utf8('ok')))).toBe('ok');
      } finally {
        await dialer.close();
        await listener.close();
      }
      expect(events).toEqual([]);
    });
  });

  it('our own certificate must carry the EKU of each role it is used for, also after a rotation', async () => {
    const clientOnly = await issue('client-only', { usage: 'client' });
    const serverOnly = await issue('server-only', { usage: 'server' });
    const dialer = make(kind, { credentials: clientOnly });
    const listener = make(kind, { credentials: good });
    listener.handle('echo', (body) => body);
    try {
      await expect(dialer.listen({ host: '127.0.0.1', port: 0 })).rejects.toMatchObject({
        code: 'ERR_LOCAL_CERT_INVALID',
        reason: 'extended-key-usage',
      });
      const { port } = await listener.listen({ host: '127.0.0.1', port: 0 });
      const connection = await dialer.dial({ host: '127.0.0.1', port });
      expect(text(await connection.request('echo', utf8('as a client')))).toBe('as a client');
      // It dials, so a certificate without clientAuth cannot replace it; one with it can.
      expect(thrown(() => dialer.updateCredentials(serverOnly))).toMatchObject({
        code: 'ERR_LOCAL_CERT_INVALID',
        reason: 'extended-key-usage',
      });
      expect(thrown(() => dialer.updateCredentials(good))).toBeUndefined();
      // A listener's certificate needs serverAuth.
      expect(thrown(() => listener.updateCredentials(clientOnly))).toMatchObject({
        code: 'ERR_LOCAL_CERT_INVALID',
        reason: 'extended-key-usage',
      });
    } finally {
      await dialer.close();
      await listener.close();
    }
  });

  it('a development agent is refused by a listener without the flag, and refuses nothing it should not', async () => {
    const development = await issue('dev-agent', { development: true });
    const listener = make(kind, { credentials: good });
    let handlerCalls = 0;
    listener.handle('guarded', () => void (handlerCalls += 1));
    const listenerEvents: Array<TransportEvents['transportError']> = [];
    listener.on('transportError', (e) => void listenerEvents.push(e));
    const dialer = make(kind, { credentials: development, development: true });
    const devListener = make(kind, { credentials: development, development: true });
    devListener.handle('echo', (body) => body);
    const prodDialer = make(kind, { credentials: good });
    try {
      const { port } = await listener.listen({ host: '127.0.0.1', port: 0 });
      // The listener refuses the development certificate; the dialer learns it was refused (not retryable).
      const refusal = await dialer.dial({ host: '127.0.0.1', port }).catch((e: unknown) => e);
      expect(refusal).toMatchObject({ code: 'ERR_TLS_HANDSHAKE', retryable: false });
      await waitFor(() => listenerEvents.length > 0, 3000, 'listener transportError');
      expect(listenerEvents).toEqual([
        { transport: kind, peer: expect.any(String), code: 'ERR_PEER_CERT_POLICY', reason: 'development-certificate' },
      ]);
      expect(handlerCalls).toBe(0);
      // A production dialer refuses a development listener; a development dialer accepts it.
      const { port: devPort } = await devListener.listen({ host: '127.0.0.1', port: 0 });
      await expect(prodDialer.dial({ host: '127.0.0.1', port: devPort })).rejects.toMatchObject({
        code: 'ERR_PEER_CERT_POLICY',
        reason: 'development-certificate',
      });
      const accepted = await dialer.dial({ host: '127.0.0.1', port: devPort });
      expect(text(await accepted.request('echo', utf8('dev')))).toBe('dev');
    } finally {
      await Promise.all([dialer.close(), prodDialer.close()]);
      await Promise.all([listener.close(), devListener.close()]);
    }
  });
});
