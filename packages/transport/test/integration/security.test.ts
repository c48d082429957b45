import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import * as tls from 'node:tls';
import { AgentlinkError } from '@agentlink/resilience';
import { quicEarlyData } from '../../src/quic/early-data-status';
import { QuicTransport } from '../../src/quic/quic-transport';
import { TcpTlsTransport, ALPN_PROTOCOL } from '../../src/tcp/tcp-tls-transport';
import { PeerClient } from '../../src/peer-client';
import type { Connection, TlsCredentials, Transport, TransportEvents } from '../../src/types';
import { text, utf8, waitFor } from '../helpers';
import { failOnUncaughtErrors } from '../support/no-uncaught';
import { rawClientAttempt, startRawServer } from '../support/raw-peers';
import { buildPki, CHAIN_REFUSAL, REFUSED_SERVERS, SECURITY_CASES, type Pki } from '../support/security-fixtures';
import { refusalOnDial, takeTicket, ticketForFreedPort } from '../support/session-tickets';

describe.each(SECURITY_CASES)('security over $label', ({ kind, quic, dialMode, resume }) => {
  let pki: Pki;
  const make = (credentials: TlsCredentials): Transport =>
    kind === 'quic'
      ? new QuicTransport({ credentials, connectTimeoutMs: 3000, dialMode, ...quic })
      : new TcpTlsTransport({ credentials, connectTimeoutMs: 3000, dialMode });

  beforeAll(async () => {
    pki = await buildPki();
  });
  failOnUncaughtErrors();

  const refusedServers = Object.keys(REFUSED_SERVERS[kind]);
  it.each(refusedServers)('client refuses a %s server certificate, typed by its TLS stack', async (label) => {
    const client = make(pki.client);
    // Resuming: the bad server took over a port where the client holds a good server's ticket.
    const port = resume === true ? await ticketForFreedPort(client, pki.good, quic!.zeroRtt!) : 0;
    const server = await startRawServer(kind, pki.badServers[label]!, quic?.retry ?? true, port);
    const errors: Array<TransportEvents['transportError']> = [];
    client.on('transportError', (e) => void errors.push(e));
    try {
      const error = await refusalOnDial(client, server.port, resume === true);
      const [code, reason] = REFUSED_SERVERS[kind][label]!;
      expect(error).toMatchObject({ code, reason: expect.stringContaining(reason), retryable: false });
      const refusal = code === 'ERR_PEER_IDENTITY' ? 'identity' : 'chain';
      expect(errors).toEqual([{ transport: kind, peer: `127.0.0.1:${server.port}`, code, reason: refusal }]);
      expect(client.connections.size).toBe(0);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  if (kind === 'tcp') {
    it('refuses a server that only speaks TLS 1.2 (the shared client context stays TLS 1.3 only)', async () => {
      const server = tls.createServer({
        key: pki.good.keyPem,
        cert: pki.good.certPem,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        ALPNProtocols: [ALPN_PROTOCOL],
      });
      server.on('tlsClientError', () => undefined);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const client = make(pki.client);
      try {
        const port = (server.address() as { port: number }).port;
        for (let i = 0; i < 2; i++) {
          const error = await client.dial({ host: '127.0.0.1', port }).catch((e: unknown) => e);
          expect((error as AgentlinkError).code).toBe('ERR_TLS_HANDSHAKE');
        }
      } finally {
        await client.close();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  }

  describe('server side', () => {
    let server: Transport;
    let port: number;
    let serverErrors: string[];
    let serverEvents: Array<TransportEvents['transportError']>;
    /** Calls of the handler that refused peers try to reach; must stay 0. */
    let guardedCalls = 0;

    beforeAll(async () => {
      server = make(pki.good);
      server.handle('echo', (body) => body);
      server.handle('guarded', (body) => {
        guardedCalls += 1;
        return body;
      });
      server.on('transportError', (e) => {
        serverErrors.push(e.code);
        serverEvents.push(e);
      });
      port = (await server.listen({ host: '127.0.0.1', port: 0 })).port;
    });
    beforeEach(() => {
      serverErrors = [];
      serverEvents = [];
    });
    afterAll(async () => {
      await server.close();
    });

    /** A good client; resuming, it first takes a ticket from the listener (its dials send early data). */
    async function goodClient(): Promise<Transport> {
      const client = make(pki.client);
      if (resume === true) await takeTicket(client, port);
      return client;
    }

    async function goodPeerStillServed(): Promise<void> {
      const client = await goodClient();
      try {
        const connection = await client.dial({ host: '127.0.0.1', port });
        expect(text(await connection.request('echo', utf8('ok')))).toBe('ok');
      } finally {
        await client.close();
      }
    }

    it('refuses a client without a certificate and keeps serving good peers', async () => {
      expect(await rawClientAttempt(kind, port, undefined, pki.ca.certPem)).toBe('refused');
      await waitFor(() => serverEvents.length > 0, 3000, 'server transportError');
      // Both stacks: a verification failure of the (missing) client certificate, counted as a refusal.
      expect(serverEvents).toEqual([expect.objectContaining(CHAIN_REFUSAL(kind))]);
      expect(guardedCalls).toBe(0);
      await goodPeerStillServed();
    });

    it('refuses a client whose certificate comes from another CA, with a typed error on both sides', async () => {
      const client = make(pki.wrongCaClient);
      const clientErrors: string[] = [];
      client.on('transportError', (e) => void clientErrors.push(e.code));
      let error: unknown;
      if (dialMode === 'eager') {
        // The server is verified, so dial() resolves; the refusal surfaces on the calls instead.
        const connection: Connection = await client.dial({ host: '127.0.0.1', port });
        const calls = [
          connection.request('guarded', utf8('a')),
          connection.request('guarded', utf8('b')),
          connection.send('guarded', utf8('c')),
        ];
        const outcomes = await Promise.allSettled(calls);
        const codes = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as AgentlinkError).code : 'fulfilled'));
        // A one-way send may already have been written when the refusal came: it cannot fail.
        expect(codes.slice(0, 2)).toEqual(['ERR_TLS_HANDSHAKE', 'ERR_TLS_HANDSHAKE']);
        expect(['ERR_TLS_HANDSHAKE', 'fulfilled']).toContain(codes[2]);
        error = await connection.request('guarded', utf8('after')).catch((e: unknown) => e);
        await expect(connection.accepted).rejects.toMatchObject({ code: 'ERR_TLS_HANDSHAKE' });
        await connection.closedPromise;
        expect(connection.closed).toBe(true);
        expect(clientErrors).toContain('ERR_TLS_HANDSHAKE');
      } else {
        error = await client.dial({ host: '127.0.0.1', port }).catch((e: unknown) => e);
      }
      await client.close();
      expect(error).toBeInstanceOf(AgentlinkError);
      expect((error as AgentlinkError).code).toBe('ERR_TLS_HANDSHAKE');
      await waitFor(() => serverErrors.includes('ERR_CERT_VERIFICATION'), 3000, 'ERR_CERT_VERIFICATION on the server');
      expect(serverEvents).toEqual([expect.objectContaining(CHAIN_REFUSAL(kind))]);
      expect(guardedCalls).toBe(0);
      await goodPeerStillServed();
    });

    it('serves requests sent as soon as dial() resolves', async () => {
      const client = await goodClient();
      try {
        const connection = await client.dial({ host: '127.0.0.1', port });
        const answers = await Promise.all([
          connection.request('guarded', utf8('1')),
          connection.request('guarded', utf8('2')),
        ]);
        expect(answers.map(text)).toEqual(['1', '2']);
        expect(quicEarlyData(connection)).toBe(resume === true ? 'accepted' : 'none');
        expect(guardedCalls).toBe(2);
        guardedCalls = 0;
      } finally {
        await client.close();
      }
    });

    if (dialMode === 'eager') {
      it('a PeerClient over eager dials does not redial a listener that refused it', async () => {
        const client = make(pki.wrongCaClient);
        const dialled: Connection[] = [];
        const counting = {
          dial: async (...args: Parameters<Transport['dial']>): Promise<Connection> => {
            const connection = await client.dial(...args);
            dialled.push(connection);
            return connection;
          },
        };
        const peer = new PeerClient({ transport: counting, address: { host: '127.0.0.1', port } });
        try {
          await expect(peer.request('guarded', utf8('x'))).rejects.toMatchObject({ code: 'ERR_TLS_HANDSHAKE' });
          await dialled[0]!.closedPromise;
          // A redial would start within a turn or two of the close; give it ample time to show.
          await new Promise((resolve) => setTimeout(resolve, 200));
          expect(dialled).toHaveLength(1);
          expect(guardedCalls).toBe(0);
        } finally {
          await peer.close();
          await client.close();
        }
      });
    }

    if (kind === 'tcp') {
      it('refuses a TLS 1.2 client', async () => {
        expect(await rawClientAttempt('tcp', port, pki.client, pki.ca.certPem, 'TLSv1.2')).toBe('refused');
        await waitFor(() => serverErrors.includes('ERR_TLS_HANDSHAKE'), 3000, 'ERR_TLS_HANDSHAKE on the server');
        expect(serverErrors).toEqual(['ERR_TLS_HANDSHAKE']);
        expect(guardedCalls).toBe(0);
        await goodPeerStillServed();
      });
    }
  });
});
