import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AgentlinkError } from '@agentlink/resilience';
import type { CertificateAuthority } from '../../src/pki/certificate-authority';
import type { QuicTransport } from '../../src/quic/quic-transport';
import type {
  QuicTransportOptions,
  TlsCredentials,
  Transport,
  TransportEvents,
  ZeroRttOptions,
} from '../../src/types';
import { text, utf8, waitFor } from '../helpers';
import {
  createPolicyPki,
  GOOD_KEYS,
  make as makeTransport,
  RULES,
  thrown,
  type Kind,
  type PolicyPki,
} from '../support/certificate-policy';
import { failOnUncaughtErrors } from '../support/no-uncaught';
import { rawClientAttempt, startRawServer } from '../support/raw-peers';
import { refusalOnDial, takeTicket, ticketForFreedPort } from '../support/session-tickets';
import { mintTicket, resumedAttempt } from '../support/ticket-mint';

let pki: PolicyPki;
let ca: CertificateAuthority;
let good: TlsCredentials;
const bad = new Map<string, TlsCredentials>();
const issue: PolicyPki['issue'] = (agentId, profile) => pki.issue(agentId, profile);

beforeAll(async () => {
  pki = await createPolicyPki();
  ({ ca, good } = pki);
  for (const rule of RULES) bad.set(rule.label, await issue('bad-agent', rule.profile));
});

const ZERO_RTT: ZeroRttOptions = { idempotentMethods: ['guarded', 'echo'] };
const VARIANTS: ReadonlyArray<{ label: string; kind: Kind; resume?: true }> = [
  { label: 'quic', kind: 'quic' },
  { label: 'tcp', kind: 'tcp' },
  // Every dialer holds a ticket for the address it dials, resumes and sends early data.
  { label: 'quic resuming with a session ticket (0-RTT on, eager dials)', kind: 'quic', resume: true },
];

describe.each(VARIANTS)('certificate policy over $label', ({ kind, resume }) => {
  failOnUncaughtErrors();
  const zeroRtt = resume === true ? { zeroRtt: ZERO_RTT, dialMode: 'eager' as const, retry: false } : {};
  const make = (k: Kind, options: QuicTransportOptions): Transport => makeTransport(k, { ...options, ...zeroRtt });

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
      const client = make(kind, { credentials: good });
      // Resuming: the bad server took over a port where the client holds a good server's ticket.
      const port = resume === true ? await ticketForFreedPort(client, good, ZERO_RTT) : 0;
      const server = await startRawServer(kind, bad.get(label)!, false, port);
      const events: Array<TransportEvents['transportError']> = [];
      client.on('transportError', (e) => void events.push(e));
      try {
        const error = await refusalOnDial(client, server.port, resume === true);
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
        if (resume === true) {
          // A ticket the listener opens for this chain (ticket-mint.ts): its first flight carries the request.
          const ticket = await mintTicket(server as QuicTransport, credentials);
          expect(await resumedAttempt(port, credentials, ticket)).toMatchObject({ verdict: 'refused', early: true });
        } else {
          expect(await rawClientAttempt(kind, port, credentials, ca.certPem)).toBe('refused');
        }
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
        if (resume === true) await takeTicket(client, port);
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
        if (resume === true) await takeTicket(dialer, listenerPort);
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
});
