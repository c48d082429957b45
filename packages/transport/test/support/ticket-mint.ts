import { randomBytes } from 'node:crypto';
import { QuicEndpoint } from '../../src/quic/endpoint/quic-endpoint';
import { quiche, type QuicheConfig } from '../../src/quic/endpoint/native';
import { applyEndpointSettings, buildQuicheConfig, SIGALGS } from '../../src/quic/endpoint/quiche-config';
import { endpointSettings, type ResolvedQuicOptions } from '../../src/quic/quic-options';
import type { QuicTransport } from '../../src/quic/quic-transport';
import type { TlsCredentials } from '../../src/types';
import { waitFor } from '../helpers';
import { eagerRequest, rawConnection, rawSettings } from './raw-peers';

/**
 * Session tickets a 0-RTT listener opens, for client certificates it never verified. The listener
 * only issues tickets after its checks passed, so a bad client cannot get one from it; a "mint"
 * can: it shares the listener's ticket key (white box, as if the key had leaked), takes the same
 * transport parameters (so early data is accepted too), and completes handshakes that request a
 * client certificate but accept any. A client resuming with such a ticket meets only the
 * listener's own identity and policy checks on the resumed chain (BoringSSL skips the chain).
 */

interface ListenerInternals {
  zeroRttListener: { applyKey(key: Buffer): void };
  quic: ResolvedQuicOptions;
  credentials: TlsCredentials;
  resolved: { maxFrameBytes: number };
}

/**
 * The listener's settings for a loopback peer (buildQuicheConfig's steps), but verifying with
 * verifyAllowFail set, which our code never does: any client certificate completes the handshake.
 */
function mintConfig(listener: ListenerInternals, ticketKey: Buffer): QuicheConfig {
  const { quic, credentials, resolved } = listener;
  const s = endpointSettings(quic, credentials, true, resolved.maxFrameBytes, '127.0.0.1');
  const encode = (pem: string): Uint8Array => new TextEncoder().encode(pem);
  const [ca, key, cert] = [s.caPem!, s.keyPem!, s.certPem!].map(encode);
  const config = quiche.Config.withBoringSslCtx(true, true, ca, [key!], [cert!], SIGALGS);
  applyEndpointSettings(config, { ...s, earlyData: true });
  config.setTicketKey(ticketKey);
  return config;
}

/** A raw client config presenting `cert`, not verifying the server, 0-RTT allowed. */
function clientConfig(cert: { certPem: string; keyPem: string }): QuicheConfig {
  return buildQuicheConfig({ ...rawSettings(cert), earlyData: true });
}

/** A ticket for `cert` that `listener` (0-RTT on, listening) will resume: it sets a new ticket key on it. */
export async function mintTicket(
  listener: QuicTransport,
  cert: { certPem: string; keyPem: string },
): Promise<Uint8Array> {
  const internals = listener as unknown as ListenerInternals;
  const ticketKey = randomBytes(48);
  internals.zeroRttListener.applyKey(ticketKey);
  const config = mintConfig(internals, ticketKey);
  const mint = await QuicEndpoint.open({
    host: '127.0.0.1',
    port: 0,
    connection: rawConnection,
    accept: { config: () => config, retry: false, onConnection: (connection) => connection.serve() },
  });
  const endpoint = await QuicEndpoint.open({ host: '127.0.0.1', port: 0, connection: rawConnection });
  try {
    const connection = endpoint.connect('localhost', { host: '127.0.0.1', port: mint.port }, clientConfig(cert));
    await waitFor(() => connection.native.session() !== null, 3000, 'a minted session ticket');
    return connection.native.session()!;
  } finally {
    await Promise.all([endpoint.close(), mint.close()]);
  }
}

/** What a resumed attempt ended in, and whether it did resume and send its request as early data. */
export interface ResumedAttempt {
  readonly verdict: 'refused' | 'accepted';
  readonly resumed: boolean;
  readonly early: boolean;
}

/** Resumes with `ticket`, a 'guarded' request in the first flight; accepted only if the listener says hello. */
export async function resumedAttempt(
  port: number,
  cert: { certPem: string; keyPem: string },
  ticket: Uint8Array,
): Promise<ResumedAttempt> {
  const endpoint = await QuicEndpoint.open({ host: '127.0.0.1', port: 0, connection: rawConnection });
  try {
    const connection = endpoint.connect('localhost', { host: '127.0.0.1', port }, clientConfig(cert), ticket);
    const early = connection.native.isInEarlyData();
    if (early) {
      connection.native.streamSend(0, eagerRequest('guarded'), true);
      connection.flush();
    }
    let resumed = false;
    const verdict = await new Promise<'refused' | 'accepted'>((resolve) => {
      const deadline = setTimeout(() => resolve('refused'), 3000);
      const settle = (value: 'refused' | 'accepted'): void => {
        clearTimeout(deadline);
        resolve(value);
      };
      connection.handler = {
        established: () => {
          resumed = connection.native.isResumed();
          if (!early) connection.native.streamSend(0, eagerRequest('guarded'), true);
          connection.serve();
        },
        // The listener opens a stream (its hello) only to accepted peers.
        streamReadable: (streamId) => (streamId & 1) === 1 && settle('accepted'),
        afterEvent: () => undefined,
        closed: () => settle('refused'),
      };
    });
    return { verdict, resumed, early };
  } finally {
    await endpoint.close();
  }
}
