import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { issueCertificate } from '../../src/pki/certificate-authority';
import { QuicTransport } from '../../src/quic/quic-transport';
import type { QuicTransportOptions, TlsCredentials, TransportEvents } from '../../src/types';
import { createTestPki, waitFor, type TestPki } from '../helpers';
import { failOnUncaughtErrors } from '../support/no-uncaught';
import { resumedRequest, takeTicket, ticketForFreedPort } from '../support/session-tickets';

// A session ticket is a promise about one server: whatever answers at its address later, under
// whatever trust either side holds by then, is checked as on a first connection.

const ZERO_RTT = { idempotentMethods: ['echo'] };

describe('QUIC 0-RTT: a session ticket never stands in for verification', () => {
  let fleet: TestPki;
  let otherFleet: TestPki;
  const open: QuicTransport[] = [];
  failOnUncaughtErrors();

  beforeAll(async () => {
    [fleet, otherFleet] = await Promise.all([createTestPki(), createTestPki()]);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close({ force: true })));
  });

  const make = (credentials: TlsCredentials, options: Partial<QuicTransportOptions> = {}): QuicTransport => {
    const transport = new QuicTransport({ credentials, retry: false, connectTimeoutMs: 3000, ...options });
    open.push(transport);
    return transport;
  };
  const dialer = (credentials: TlsCredentials = fleet.client): QuicTransport =>
    make(credentials, { dialMode: 'eager', zeroRtt: ZERO_RTT });
  /** A 0-RTT listener that counts the calls it runs (early or not) and the errors it reports. */
  const listener = async (credentials: TlsCredentials, port = 0) => {
    const server = make(credentials, { zeroRtt: ZERO_RTT });
    const seen = { calls: 0, errors: [] as Array<TransportEvents['transportError']> };
    server.handle('echo', (body) => ((seen.calls += 1), body));
    server.on('transportError', (e) => void seen.errors.push(e));
    return { server, seen, port: (await server.listen({ host: '127.0.0.1', port })).port };
  };

  it("a ticket from one fleet's server is not accepted by another fleet CA's server at its address", async () => {
    const client = dialer();
    const port = await ticketForFreedPort(client, fleet.server, ZERO_RTT);
    const other = await listener(otherFleet.server, port);
    const { request } = await resumedRequest(client, port, 'echo');
    // The other fleet cannot open the ticket: no early data, a full handshake, its CA unknown to us.
    expect(request).toMatchObject({ code: 'ERR_CERT_VERIFICATION', reason: expect.stringContaining('unknown_ca') });
    expect(other.seen.calls).toBe(0);
    expect(other.server.connections.size).toBe(0);
  });

  it("a resuming client refuses another agent's certificate at its ticket's address; nothing runs there", async () => {
    const stranger = await issueCertificate(fleet.ca, { agentId: 'stranger', usage: 'both' });
    const client = dialer();
    const port = await ticketForFreedPort(client, fleet.server, ZERO_RTT);
    const other = await listener({ ...stranger, caPem: fleet.ca.certPem }, port);
    const errors: Array<TransportEvents['transportError']> = [];
    client.on('transportError', (e) => void errors.push(e));
    const { connection, request } = await resumedRequest(client, port, 'echo');
    expect(connection.peer.agentId).toBe('server-agent'); // what the ticket promised
    expect(request).toMatchObject({ code: 'ERR_PEER_IDENTITY', retryable: false });
    expect(errors).toEqual([
      { transport: 'quic', peer: `127.0.0.1:${port}`, code: 'ERR_PEER_IDENTITY', reason: 'identity' },
    ]);
    // The early request was refused with the ticket and never sent again to the stranger.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(other.seen.calls).toBe(0);
  });

  it('a listener that moved to a new fleet CA refuses a client resuming with a ticket from before', async () => {
    const { server, seen, port } = await listener(fleet.server);
    const client = dialer();
    await takeTicket(client, port);
    // The old CA's certificates are withdrawn: the listener trusts only the new fleet from now on.
    server.updateCredentials(otherFleet.server);
    const { request } = await resumedRequest(client, port, 'echo');
    expect(request).toMatchObject({ code: expect.stringMatching(/^ERR_(TLS_HANDSHAKE|CERT_VERIFICATION)$/) });
    expect(seen.calls).toBe(0);
    await waitFor(() => seen.errors.length > 0, 3000, 'the listener to report the refusal');
    expect(server.connections.size).toBe(0);
  });

  it('a dialer that moved to a new fleet CA does not resume with a ticket from the old fleet', async () => {
    const { seen, port } = await listener(fleet.server);
    const client = dialer();
    await takeTicket(client, port);
    client.updateCredentials(otherFleet.client);
    const refused = await client.dial({ host: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'ERR_CERT_VERIFICATION', reason: expect.stringContaining('unknown_ca') });
    expect(seen.calls).toBe(0);
  });

  it('a resuming client refuses a server whose certificate expired after the ticket was issued', async () => {
    const expiresAt = Date.now() + 1500;
    const shortLived = await issueCertificate(fleet.ca, {
      agentId: 'server-agent',
      usage: 'both',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(expiresAt),
    });
    const { seen, port } = await listener({ ...shortLived, caPem: fleet.ca.certPem });
    const client = dialer();
    await takeTicket(client, port);
    const callsBefore = seen.calls;
    await waitFor(() => Date.now() > expiresAt + 50, 5000, 'the certificate to expire');
    const outcome = await client
      .dial({ host: '127.0.0.1', port })
      .then((connection) => connection.request('echo', Buffer.from('x')))
      .catch((e: unknown) => e);
    expect(outcome).toMatchObject({ code: 'ERR_CERT_VERIFICATION', reason: expect.stringContaining('expired') });
    expect(seen.calls).toBe(callsBefore);
  });
});
