import { QuicTransport } from '../../src/quic/quic-transport';
import type { Connection, TlsCredentials, Transport, ZeroRttOptions } from '../../src/types';
import { waitFor } from '../helpers';

/**
 * Security suites run again with 0-RTT on: the dialer then holds a TLS session ticket for the
 * address it dials (from an earlier, good connection) and resumes with it, sending early data.
 */

/** Whether `dialer` holds a session ticket for 127.0.0.1:`port` (white box: its ticket store). */
export function holdsTicket(dialer: Transport, port: number, serverName = '127.0.0.1'): boolean {
  const tickets = (dialer as unknown as { tickets?: { ticketFor(key: string): unknown } }).tickets;
  return tickets?.ticketFor(`127.0.0.1|${port}|${serverName}`) !== undefined;
}

/** Dials 127.0.0.1:`port` once, waits for the listener's hello, closes: `dialer` then holds a ticket. */
export async function takeTicket(dialer: Transport, port: number): Promise<void> {
  const connection = await dialer.dial({ host: '127.0.0.1', port });
  await connection.accepted;
  await connection.close();
  // The ticket is kept once the session's close settles.
  await waitFor(() => holdsTicket(dialer, port), 3000, 'a session ticket');
}

/**
 * Gives `dialer` a ticket from a good 0-RTT listener (`credentials`) on a new port of 127.0.0.1,
 * then closes that listener: whatever the test starts on the returned port next meets a dialer
 * that believes it knows the server there.
 */
export async function ticketForFreedPort(
  dialer: Transport,
  credentials: TlsCredentials,
  zeroRtt: ZeroRttOptions,
): Promise<number> {
  const server = new QuicTransport({ credentials, retry: false, zeroRtt });
  try {
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    await takeTicket(dialer, port);
    return port;
  } finally {
    await server.close();
  }
}

/**
 * Dials with a ticket in eager mode: dial() resolves at once on the ticket's server and the
 * request leaves as 0-RTT early data. Resolves with what the request and `accepted` ended in.
 */
export async function resumedRequest(
  dialer: Transport,
  port: number,
  method: string,
): Promise<{ connection: Connection; request: unknown; accepted: unknown }> {
  const connection = await dialer.dial({ host: '127.0.0.1', port });
  const outcome = (promise: Promise<unknown>): Promise<unknown> => promise.then((value) => value, (error) => error);
  const [request, accepted] = await Promise.all([
    outcome(connection.request(method, Buffer.from('x'))),
    outcome(connection.accepted),
  ]);
  return { connection, request, accepted };
}

/**
 * What a dialer ends in when the server on `port` must be refused: without a ticket dial()'s
 * rejection; resuming, dial() resolves at once and the refusal fails the early request (and
 * `accepted`, with the same error) once the connection has closed.
 */
export async function refusalOnDial(dialer: Transport, port: number, resume: boolean): Promise<unknown> {
  if (!resume) return dialer.dial({ host: '127.0.0.1', port }).catch((e: unknown) => e);
  const resumed = await resumedRequest(dialer, port, 'echo');
  if (resumed.accepted !== resumed.request) {
    throw new Error(`accepted ended in ${String(resumed.accepted)}, the request in ${String(resumed.request)}`);
  }
  await resumed.connection.closedPromise;
  return resumed.request;
}
