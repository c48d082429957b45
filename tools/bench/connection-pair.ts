/**
 * A listening agentlink transport and one connection dialled to it (optionally through a
 * fault proxy), for benchmarks, the stress test and the transport soak.
 */
import {
  createCertificateAuthority,
  issueCertificate,
  QuicTransport,
  TcpTlsTransport,
  type Connection,
  type QuicTransportOptions,
  type TlsCredentials,
  type Transport,
} from '@agentlink/transport';

export type TransportKind = 'quic' | 'tcp';

export interface PairCredentials {
  readonly server: TlsCredentials;
  readonly client: TlsCredentials;
}

let cached: Promise<PairCredentials> | undefined;

async function issuePair(): Promise<PairCredentials> {
  const ca = await createCertificateAuthority({ commonName: 'agentlink bench CA' });
  const issue = async (agentId: string): Promise<TlsCredentials> => {
    const issued = await issueCertificate(ca, { agentId, usage: 'both' });
    return { certPem: issued.certPem, keyPem: issued.keyPem, caPem: ca.certPem };
  };
  return { server: await issue('bench-server'), client: await issue('bench-client') };
}

/**
 * One CA and two agent certificates (ECDSA P-256, the profile of createDevelopmentCredentials
 * without the development marking, so no bench needs `development: true`), made once per process.
 */
export function pairCredentials(): Promise<PairCredentials> {
  cached ??= issuePair();
  return cached;
}

/** Transport options both sides get; QUIC-only keys are ignored by TCP. */
export type PairTuning = Partial<Omit<QuicTransportOptions, 'credentials'>>;

/** Creates an agentlink transport of the given kind. */
export function createTransport(kind: TransportKind, credentials: TlsCredentials, tuning: PairTuning = {}): Transport {
  return kind === 'quic'
    ? new QuicTransport({ credentials, ...tuning })
    : new TcpTlsTransport({ credentials, ...tuning });
}

/** Echo handler: the response is the request body. */
export const echo = (body: Uint8Array): Uint8Array => body;

export interface ListeningServer {
  readonly transport: Transport;
  readonly port: number;
}

/** Where a server listens, and as whom (default 127.0.0.1 with this process's pair credentials). */
export interface EchoServerPlace {
  readonly host?: string;
  readonly credentials?: TlsCredentials;
}

/** Starts a server transport with an `echo` handler on a free port. */
export async function startEchoServer(
  kind: TransportKind,
  tuning: PairTuning = {},
  place: EchoServerPlace = {},
): Promise<ListeningServer> {
  const credentials = place.credentials ?? (await pairCredentials()).server;
  const transport = createTransport(kind, credentials, tuning);
  transport.handle('echo', echo);
  const { port } = await transport.listen({ host: place.host ?? '127.0.0.1', port: 0 });
  return { transport, port };
}

export interface ConnectionPair {
  readonly kind: TransportKind;
  readonly server: Transport;
  readonly client: Transport;
  readonly connection: Connection;
  close(): Promise<void>;
}

/** Server with an echo handler, a client transport, and one connection between them. */
export async function openConnectionPair(kind: TransportKind, tuning: PairTuning = {}): Promise<ConnectionPair> {
  const credentials = await pairCredentials();
  const server = await startEchoServer(kind, tuning);
  const client = createTransport(kind, credentials.client, tuning);
  const connection = await client.dial({ host: '127.0.0.1', port: server.port });
  return {
    kind,
    server: server.transport,
    client,
    connection,
    close: async () => {
      await client.close();
      await server.transport.close();
    },
  };
}
