import { describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { classifyError, exponentialBackoff, retry, RetriesExhaustedError } from '../../src/index';

/** A loopback port nobody listens on: bound to port 0, then closed. */
async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function fetchError(url: string): Promise<unknown> {
  try {
    await fetch(url);
  } catch (error) {
    return error;
  }
  throw new Error(`fetch ${url} unexpectedly succeeded`);
}

function netError(port: number): Promise<unknown> {
  return new Promise((resolve) => net.connect(port, '127.0.0.1').once('error', resolve));
}

describe('classifyError on real network failures', () => {
  it('classifies a refused fetch (TypeError with cause ECONNREFUSED) exactly like a refused net.connect', async () => {
    const port = await refusedPort();
    const fromFetch = await fetchError(`http://127.0.0.1:${port}/`);
    const fromNet = await netError(port);
    // The shape this rule exists for: fetch hides net's code one level down (the name, since jest's
    // realm has its own TypeError).
    expect((fromFetch as Error).name).toBe('TypeError');
    expect((fromFetch as { code?: unknown }).code).toBeUndefined();
    expect(classifyError(fromNet)).toMatchObject({ retryable: true, reason: 'ECONNREFUSED', peerFailure: true });
    expect(classifyError(fromFetch)).toEqual(classifyError(fromNet));
  });

  it(
    'retries a refused fetch until the attempts run out ' + 'instead of failing at the first as a programmer error',
    async () => {
      const port = await refusedPort();
      let attempts = 0;
      const call = retry(
        async () => {
          attempts++;
          return (await fetch(`http://127.0.0.1:${port}/`)).text();
        },
        { maxAttempts: 3, backoff: exponentialBackoff({ initialDelayMs: 1, maxDelayMs: 5 }) },
      );
      await expect(call).rejects.toBeInstanceOf(RetriesExhaustedError);
      expect(attempts).toBe(3);
    },
  );

  it('still treats a TypeError without a coded cause as a programmer error', () => {
    expect(classifyError(new TypeError('fetch failed', { cause: new Error('no code') }))).toMatchObject({
      retryable: false,
      reason: 'programmer-error',
    });
    expect(
      classifyError(
        new TypeError('fetch failed', { cause: Object.assign(new Error('bad cert'), { code: 'CERT_HAS_EXPIRED' }) }),
      ),
    ).toMatchObject({ retryable: false, reason: 'tls' });
  });
});
