import type { QuicCloseInfo } from '../../src/quic/endpoint/close-info';
import type { QuicConnection } from '../../src/quic/endpoint/quic-connection';
import { QuicEndpoint } from '../../src/quic/endpoint/quic-endpoint';
import { buildQuicheConfig, type EndpointSettings } from '../../src/quic/endpoint/quiche-config';
import { ALPN_PROTOCOL } from '../../src/tcp/tcp-tls-transport';
import type { TlsCredentials } from '../../src/types';
import { waitFor } from '../helpers';

/** A QUIC client without an agentlink session: it writes whatever streams a test wants. */
export interface RawQuicClient {
  readonly connection: QuicConnection;
  /** Resolves when the handshake completed (our side). */
  readonly established: Promise<void>;
  /** Resolves with how the connection ended. */
  readonly closed: Promise<QuicCloseInfo>;
  /** Streams the server opened or wrote to (its hello, answers). */
  readonly readableStreams: Set<number>;
  /** Bytes read per stream. */
  readonly answers: Map<number, Buffer>;
  /** Runs inside the recv() that completes the handshake: writes here leave with our Finished. */
  onEstablished: () => void;
  /** Writes `bytes` on stream `streamId` (with FIN if asked) and sends at once. */
  write(streamId: number, bytes: Uint8Array, fin: boolean): void;
  /** Sends a datagram we built ourselves from this client's socket and address. */
  sendRaw(datagram: Buffer): void;
  close(): Promise<void>;
}

export async function rawQuicClient(
  port: number,
  credentials: Partial<TlsCredentials>,
  overrides: Partial<EndpointSettings> = {},
  /** Where quiche writes this connection's TLS secrets (NSS key log format), for crafted packets. */
  keylogPath?: string,
  /** A session ticket (rawTicket()) to resume with; with `earlyData` the client is in early data at once. */
  ticket?: Uint8Array,
): Promise<RawQuicClient> {
  const endpoint = await QuicEndpoint.open({
    host: '127.0.0.1',
    port: 0,
    connection: { coalesceSends: false, keepAliveIntervalMs: 0, startTimeoutMs: 5000 },
  });
  const config = buildQuicheConfig({
    certPem: credentials.certPem,
    keyPem: credentials.keyPem,
    caPem: credentials.caPem,
    verifyPeer: credentials.caPem !== undefined,
    alpn: [ALPN_PROTOCOL],
    maxIdleTimeoutMs: 20_000,
    maxStreamsBidi: 100,
    maxStreamsUni: 3,
    maxData: 1 << 24,
    maxStreamData: 1 << 20,
    ...overrides,
  });
  let onEstablished = (): void => undefined;
  let onClosed = (_info: QuicCloseInfo): void => undefined;
  const established = new Promise<void>((resolve) => (onEstablished = resolve));
  const closed = new Promise<QuicCloseInfo>((resolve) => (onClosed = resolve));
  const readableStreams = new Set<number>();
  const answers = new Map<number, Buffer>();
  if (keylogPath !== undefined) config.logKeys();
  const connection = endpoint.connect('localhost', { host: '127.0.0.1', port }, config, ticket);
  // Set before the server's flight arrives: every secret from the handshake on is logged.
  if (keylogPath !== undefined) connection.native.setKeylog(keylogPath);
  const send = (connection as unknown as { sendDatagram: (datagram: Buffer, to: typeof connection.remote) => void })
    .sendDatagram;
  const client: RawQuicClient = {
    connection,
    established,
    closed,
    readableStreams,
    answers,
    onEstablished: () => undefined,
    write: (streamId, bytes, fin) => {
      connection.native.streamSend(streamId, bytes, fin);
      connection.flush();
    },
    sendRaw: (datagram) => send(datagram, connection.remote),
    close: () => endpoint.close(),
  };
  const drain = Buffer.alloc(65536);
  connection.handler = {
    established: () => {
      client.onEstablished();
      connection.serve();
      onEstablished();
    },
    streamReadable: (streamId) => {
      readableStreams.add(streamId);
      try {
        for (;;) {
          const read = connection.native.streamRecv(streamId, drain);
          if (read === null) break;
          answers.set(streamId, Buffer.concat([answers.get(streamId) ?? Buffer.alloc(0), drain.subarray(0, read[0])]));
        }
      } catch {
        // reset by the server: nothing to read
      }
    },
    afterEvent: () => undefined,
    closed: onClosed,
  };
  return client;
}

/** A session ticket from one completed handshake with the listener on `port` (0-RTT allowed). */
export async function rawTicket(port: number, credentials: Partial<TlsCredentials>): Promise<Uint8Array> {
  const first = await rawQuicClient(port, credentials, { earlyData: true });
  try {
    await first.established;
    // quiche has a session to hand out once the listener's NewSessionTicket arrived.
    await waitFor(() => first.connection.native.session() !== null, 3000, 'a session ticket');
    return first.connection.native.session()!;
  } finally {
    await first.close();
  }
}
