import { isIP } from 'node:net';
import type Logger from '@matrixai/logger';
import { events as quicEvents, QUICClient, QUICServer, QUICSocket, type QUICConnection } from '@matrixai/quic';
import { InvalidOptionsError, type AgentlinkError } from '@agentlink/resilience';
import { CertificateVerificationError, ConnectTimeoutError, TlsHandshakeError, TransportStateError } from '../errors';
import type { PeerIdentity } from '../pki/certificate-inspection';
import { certificateRefusalReason } from '../security/peer-verification';
import type { Session } from '../session/session';
import { ALPN_PROTOCOL } from '../tcp/tcp-tls-transport';
import { quicLogger, resolveQuicLogLevel } from './quic-logger';
import { TransportBase } from '../transport-base';
import type { CloseOptions, Connection, ListenAddress, PeerAddress, QuicTransportOptions, TlsCredentials, Transport } from '../types';
import { clientCryptoOps, createServerKey, serverCryptoOps } from './quic-crypto';
import { isGracefulQuicClose, isOwnApplicationClose, mapQuicError, PEER_REFUSED_APP_CODE } from './quic-error-mapping';
import { QuicFrameLink } from './quic-frame-link';
import { assertRetryHonoured } from './quic-patch';

function formatAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);
/** Peer identities remembered per transport (same certificate bytes, role and host: same verdict). */
const IDENTITY_CACHE_SIZE = 256;

/**
 * quiche checks the server name natively but only against DNS SANs. For a loopback IP we let it
 * check 'localhost' and check the IP SAN ourselves after the handshake; other IPs need a DNS name.
 */
function nativeServerName(serverName: string): string {
  if (isIP(serverName) === 0) return serverName;
  if (LOOPBACK.has(serverName)) return 'localhost';
  throw new InvalidOptionsError(`QUIC dial to ${serverName} needs a DNS serverName: quiche verifies DNS names only`);
}

function optionalBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidOptionsError(`${name} must be a boolean, got ${typeof value}`);
  return value;
}

/** QUIC (RFC 9000) on @matrixai/quic with mutual TLS 1.3 and one stream per exchange. */
export class QuicTransport extends TransportBase implements Transport {
  readonly kind = 'quic' as const;
  private server: QUICServer | undefined;
  private readonly clients = new Set<QUICClient>();
  /** One UDP socket per local wildcard address, shared by all our dials (no bind per dial). */
  private readonly clientSockets = new Map<string, Promise<QUICSocket>>();
  private readonly identities = new Map<string, PeerIdentity>();
  private readonly keepAliveIntervalMs: number;
  private readonly maxIdleTimeoutMs: number;
  private readonly maxConcurrentStreams: number;
  private readonly retry: boolean;
  private readonly coalesceSends: boolean;
  private readonly logger: Logger;

  constructor(private readonly quicOptions: QuicTransportOptions) {
    super(quicOptions);
    this.keepAliveIntervalMs = quicOptions.keepAliveIntervalMs ?? 10_000;
    this.maxIdleTimeoutMs = quicOptions.maxIdleTimeoutMs ?? 30_000;
    this.maxConcurrentStreams = quicOptions.maxConcurrentStreams ?? 100;
    this.retry = optionalBoolean('retry', quicOptions.retry, true);
    this.coalesceSends = optionalBoolean('coalesceSends', quicOptions.coalesceSends, true);
    this.logger = quicLogger(resolveQuicLogLevel(quicOptions.libraryLogLevel));
    if (!(this.keepAliveIntervalMs > 0 && this.maxIdleTimeoutMs > this.keepAliveIntervalMs)) {
      throw new InvalidOptionsError('keepAliveIntervalMs must be positive and smaller than maxIdleTimeoutMs');
    }
    if (!Number.isInteger(this.maxConcurrentStreams) || this.maxConcurrentStreams < 1) {
      throw new InvalidOptionsError('maxConcurrentStreams must be a positive integer');
    }
  }

  protected applyCredentials(credentials: TlsCredentials): void {
    // Dials read this.credentials through config(); the listener keeps its own copy.
    this.server?.updateConfig({ key: credentials.keyPem, cert: credentials.certPem, ca: credentials.caPem });
  }

  private config(): Record<string, unknown> {
    const { certPem, keyPem, caPem } = this.credentials;
    return {
      key: keyPem,
      cert: certPem,
      ca: caPem,
      verifyPeer: this.resolved.verifyPeer,
      applicationProtos: [ALPN_PROTOCOL],
      keepAliveIntervalTime: this.keepAliveIntervalMs,
      maxIdleTimeout: this.maxIdleTimeoutMs,
      // Leave headroom above our own slot limit: closed streams are credited back with a delay.
      initialMaxStreamsBidi: this.maxConcurrentStreams * 2,
      initialMaxData: Math.max(10 * 1024 * 1024, this.resolved.maxFrameBytes * 4),
      coalesceSends: this.coalesceSends,
    };
  }

  async listen(address: Partial<PeerAddress> = {}): Promise<ListenAddress> {
    this.assertUsable('server');
    if (this.server !== undefined) throw new TransportStateError('listen() was already called on this transport');
    const server = new QUICServer({
      crypto: { key: createServerKey(), ops: serverCryptoOps },
      config: this.config() as ConstructorParameters<typeof QUICServer>[0]['config'],
      minIdleTimeout: this.resolved.connectTimeoutMs,
      logger: this.logger,
      retry: this.retry,
    });
    assertRetryHonoured(server, this.retry);
    this.server = server;
    server.addEventListener(quicEvents.EventQUICServerConnection.name, this.handleServerConnection);
    server.addEventListener(quicEvents.EventQUICConnectionError.name, this.handleServerConnectionError);
    server.addEventListener(quicEvents.EventQUICServerError.name, this.handleServerError);
    const host = address.host ?? '127.0.0.1';
    await server.start({ host, port: address.port ?? 0 });
    return { host, port: server.port };
  }

  private readonly handleServerConnection = (event: Event): void => {
    const connection = (event as unknown as { detail: QUICConnection }).detail;
    const address = formatAddress(connection.remoteHost, connection.remotePort);
    let peer: PeerIdentity;
    try {
      if (this.state === 'closed') throw new TransportStateError('transport is closing');
      peer = this.identify(connection, 'client', address);
    } catch (error) {
      const typed = mapQuicError(error, address);
      this.reportError(typed, address);
      // A distinct code lets the dialer report a refusal (not a retryable close), as TLS/TCP does.
      const errorCode = certificateRefusalReason(typed) === undefined ? 1 : PEER_REFUSED_APP_CODE;
      connection.stop({ isApp: true, errorCode, force: true }).catch(() => undefined);
      return;
    }
    const session = this.createSession(connection, () => connection.stop({ isApp: true, errorCode: 0, force: true }), 'inbound', peer, address);
    // @matrixai/quic does not expose when an accepted handshake began; 0 marks "not measured".
    this.adopt(session, 0);
    // After the datagrams already waiting: an eager dialer's first request, right behind its
    // Finished, is served before the hello's stream is opened.
    setImmediate(() => session.sendHello().catch(() => session.destroy('could not send hello')));
  };

  private readonly handleServerConnectionError = (event: Event): void => {
    const error = (event as unknown as { detail: unknown }).detail;
    if (isGracefulQuicClose(error) || isOwnApplicationClose(error)) return;
    this.reportError(mapQuicError(error, 'inbound'));
  };

  private readonly handleServerError = (event: Event): void => {
    const error = (event as unknown as { detail: unknown }).detail;
    this.reportError(mapQuicError(error, 'listener'));
  };

  private identify(connection: QUICConnection, role: 'client' | 'server', address: string, serverName?: string): PeerIdentity {
    const chain = connection.getRemoteCertsChain();
    if (!this.resolved.verifyPeer || chain.length === 0) return this.identifyPeer(chain, role, address, serverName);
    // quiche hands us DER that we would parse again on every connection of a known peer; the
    // verdict is a pure function of these bytes, the role and the host (dates: checked natively).
    const key = `${role}|${serverName ?? ''}|${chain.map((der) => Buffer.from(der).toString('base64')).join('|')}`;
    const known = this.identities.get(key);
    if (known !== undefined) return known;
    const identity = this.identifyPeer(chain, role, address, serverName);
    if (this.identities.size >= IDENTITY_CACHE_SIZE) this.identities.delete(this.identities.keys().next().value as string);
    this.identities.set(key, identity);
    return identity;
  }

  private createSession(
    connection: QUICConnection,
    stop: () => Promise<void>,
    direction: 'inbound' | 'outbound',
    peer: PeerIdentity,
    address: string,
  ): Session {
    const link = new QuicFrameLink(connection, stop, this.resolved.maxFrameBytes, this.maxConcurrentStreams, address);
    return this.openSession(link, direction, peer, address);
  }

  async dial(address: PeerAddress, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Connection> {
    this.assertUsable('client');
    const target = formatAddress(address.host, address.port);
    const serverName = address.serverName ?? address.host;
    const timeoutMs = options.timeoutMs ?? this.resolved.connectTimeoutMs;
    const startedAt = performance.now();
    let client: QUICClient | undefined;
    let session: Session | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      options.signal?.throwIfAborted();
      const native = nativeServerName(serverName);
      const socket = await this.clientSocket(isIP(address.host) === 6 ? '::' : '0.0.0.0');
      client = await QUICClient.createQUICClient(
        {
          host: address.host,
          port: address.port,
          serverName: native,
          socket,
          crypto: { ops: clientCryptoOps },
          config: this.config(),
          logger: this.logger,
        },
        { timer: timeoutMs, signal: options.signal },
      );
      this.clients.add(client);
      const owned = client;
      owned.addEventListener(quicEvents.EventQUICClientError.name, this.ignoreClientError);
      const peer = this.identify(owned.connection, 'server', target, serverName);
      session = this.createSession(owned.connection, () => this.destroyClient(owned), 'outbound', peer, target);
      this.failFastOnRefusal(owned.connection, session);
      if (this.resolved.dialMode === 'confirmed') {
        const remaining = Math.max(1, timeoutMs - (performance.now() - startedAt));
        await Promise.race([
          // A refused certificate arrives as a QUIC crypto error (mapped by the link), not as a close.
          session.waitForHello(),
          new Promise<never>((_resolve, reject) => {
            timer = setTimeout(() => reject(new ConnectTimeoutError(target, timeoutMs)), remaining);
          }),
        ]);
      } else {
        // Eager: the server is verified and our Finished is queued. Let it leave in a datagram of
        // its own first: @matrixai/quic resets a stream that arrives in the same datagram as the
        // Finished (the server connection is still "starting"). Requests follow right behind.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (this.state === 'closed') throw new TransportStateError('transport closed while dialling');
    } catch (error) {
      const typed = mapQuicError(error, target, timeoutMs);
      this.reportError(typed, target);
      session?.destroy('dial failed');
      if (client !== undefined) {
        // Let a send the patched library coalesced (setImmediate) go first: destroyed before it,
        // the connection's close waits for the idle timeout instead of quiche's draining period.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.destroyClient(client);
      }
      throw typed;
    } finally {
      clearTimeout(timer);
    }
    this.adopt(session, performance.now() - startedAt);
    return session;
  }

  /**
   * A listener's TLS refusal reaches the link only once quiche's draining period is over (about
   * 3 PTO); fail the dial or the eager calls as soon as the CONNECTION_CLOSE arrives instead.
   */
  private failFastOnRefusal(connection: QUICConnection, session: Session): void {
    const onError = (event: Event): void => {
      const error = (event as unknown as { detail: unknown }).detail;
      if (isGracefulQuicClose(error)) return;
      const typed = mapQuicError(error, session.remoteAddress);
      if (typed instanceof TlsHandshakeError || typed instanceof CertificateVerificationError) {
        session.linkClosed(`refused: ${typed.code}`, typed);
      }
    };
    connection.addEventListener(quicEvents.EventQUICConnectionError.name, onError);
    void session.closedPromise.then(() => connection.removeEventListener(quicEvents.EventQUICConnectionError.name, onError));
  }

  protected refusalError(error: Error): AgentlinkError {
    return mapQuicError(error, 'listener');
  }

  private clientSocket(localHost: string): Promise<QUICSocket> {
    if (this.state === 'closed') return Promise.reject(new TransportStateError('transport closed while dialling'));
    let socket = this.clientSockets.get(localHost);
    if (socket === undefined) {
      const created = new QUICSocket({ logger: this.logger });
      const shared: Promise<QUICSocket> = created.start({ host: localHost, port: 0 }).then(() => created);
      socket = shared;
      // A socket that stopped by itself (socket error) is replaced on the next dial.
      created.addEventListener(
        quicEvents.EventQUICSocketStopped.name,
        () => {
          if (this.clientSockets.get(localHost) === shared) this.clientSockets.delete(localHost);
        },
        { once: true },
      );
      socket.catch(() => this.clientSockets.delete(localHost));
      this.clientSockets.set(localHost, socket);
    }
    return socket;
  }

  // Errors are read by the frame link from the connection; this listener only keeps the
  // client's own events from being the sole observer.
  private readonly ignoreClientError = (): void => undefined;

  private async destroyClient(client: QUICClient): Promise<void> {
    client.removeEventListener(quicEvents.EventQUICClientError.name, this.ignoreClientError);
    this.clients.delete(client);
    await client.destroy({ isApp: true, errorCode: 0, force: true }).catch(() => undefined);
  }

  /** Drains connections (up to drainTimeoutMs), then stops the server and every client socket. */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.state === 'closed' && this.server === undefined && this.clients.size === 0 && this.clientSockets.size === 0) return;
    await this.closeSessions(options);
    await Promise.all([...this.clients].map((client) => this.destroyClient(client)));
    const sockets = [...this.clientSockets.values()];
    this.clientSockets.clear();
    await Promise.all(sockets.map((socket) => socket.then((s) => s.stop({ force: true })).catch(() => undefined)));
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      server.removeEventListener(quicEvents.EventQUICServerConnection.name, this.handleServerConnection);
      await server.stop({ isApp: true, errorCode: 0, force: true }).catch(() => undefined);
      server.removeEventListener(quicEvents.EventQUICConnectionError.name, this.handleServerConnectionError);
      server.removeEventListener(quicEvents.EventQUICServerError.name, this.handleServerError);
    }
    this.identities.clear();
    this.events.removeAllListeners();
  }
}
