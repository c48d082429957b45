import { describe, expect, it } from '@jest/globals';
import { ConnectionClosedError, PeerUnavailableError } from '../../src/errors';
import { sessionPair as pair } from '../support/memory-link';
import { utf8 } from '../helpers';

describe('Session hello handshake over an in-memory link', () => {
  it('completes the hello handshake either way round', async () => {
    const { client, server } = pair();
    const waiting = client.waitForHello();
    await server.sendHello();
    await waiting;
    await expect(client.waitForHello()).resolves.toBeUndefined();
    await client.close({ force: true });
    await expect(client.waitForHello()).resolves.toBeUndefined();
    const other = pair();
    const hello = other.client.waitForHello();
    other.client.destroy('gone');
    await expect(hello).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(other.client.waitForHello()).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('tells a dialer turned away by a closing listener that the peer is unavailable (retryable)', async () => {
    const { client, server } = pair();
    const hello = client.waitForHello();
    void server.close({ drainTimeoutMs: 10 });
    await expect(hello).rejects.toBeInstanceOf(PeerUnavailableError);
  });

  it('eager dialer: a close before the hello fails calls in flight and later ones with the refusal', async () => {
    const { a, client, errors } = pair();
    const refusal = new PeerUnavailableError('mapped for the test');
    (client as unknown as { options: { mapRefusal: (e: Error) => Error } }).options.mapRefusal = () => refusal;
    const inFlight = client.request('echo', utf8('x'));
    a.onClose('peer refused', new ConnectionClosedError('reset'));
    await expect(inFlight).rejects.toBe(refusal);
    await expect(client.request('echo', utf8('y'))).rejects.toBe(refusal);
    await expect(client.send('note', utf8('y'))).rejects.toBe(refusal);
    await expect(client.waitForHello()).rejects.toBe(refusal);
    await expect(client.accepted).rejects.toBe(refusal);
    expect(errors.map((e) => e.code)).toEqual(['ERR_PEER_UNAVAILABLE']);
  });

  it('eager dialer: a go-away before the hello is reported as the retryable peer-unavailable error', async () => {
    const { client, server } = pair({ echo: (b) => b });
    const inFlight = client.request('echo', utf8('x')).catch((e: unknown) => e);
    await server.close({ force: true });
    const error = await inFlight;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    const other = pair({ hang: () => new Promise(() => undefined) });
    const late = other.client.request('hang', utf8('x')).catch((e: unknown) => e);
    void other.server.close({ drainTimeoutMs: 10 });
    expect(await late).toBeInstanceOf(PeerUnavailableError);
    await expect(other.client.request('hang', utf8('x'))).rejects.toBeInstanceOf(PeerUnavailableError);
    await expect(other.client.accepted).rejects.toBeInstanceOf(PeerUnavailableError);
    await expect(other.server.accepted).resolves.toBeUndefined();
  });

  it('after the hello a close is an ordinary closed connection', async () => {
    const { a, client, server } = pair({ hang: () => new Promise(() => undefined) });
    await server.sendHello();
    await client.waitForHello();
    await expect(client.accepted).resolves.toBeUndefined();
    const inFlight = client.request('hang', utf8('x'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    a.onClose('gone');
    await expect(inFlight).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});
