import { beforeAll, describe, expect, it } from '@jest/globals';
import type { TlsCredentials, TransportEvents } from '../../src/types';
import { text, utf8, waitFor } from '../helpers';
import { createPolicyPki, make, thrown, type PolicyPki } from '../support/certificate-policy';
import { failOnUncaughtErrors } from '../support/no-uncaught';

let pki: PolicyPki;
let good: TlsCredentials;
const issue: PolicyPki['issue'] = (agentId, profile) => pki.issue(agentId, profile);

beforeAll(async () => {
  pki = await createPolicyPki();
  good = pki.good;
});

describe.each(['quic', 'tcp'] as const)('certificate roles and the development flag over %s', (kind) => {
  failOnUncaughtErrors();

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
