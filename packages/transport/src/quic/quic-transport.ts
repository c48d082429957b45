import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type Logger from '@matrixai/logger';
import { AgentlinkError, InvalidOptionsError } from '@agentlink/resilience';
import { ConnectFailedError, ConnectionClosedError, ConnectTimeoutError, TransportStateError } from '../errors';
import type { PeerIdentity } from '../pki/certificate-inspection';
import { certificateRefusalReason } from '../security/peer-verification';
import type { Session } from '../session/session';
import { TransportBase } from '../transport-base';
import type {
  CloseOptions,
  Connection,
  ListenAddress,
  PeerAddress,
  QuicTransportOptions,
  TlsCredentials,
  Transport,
} from '../types';
import { AppCode, type QuicCloseInfo } from './endpoint/close-info';
import type { ConnectionHandler, QuicConnection } from './endpoint/quic-connection';
import { QuicEndpoint } from './endpoint/quic-endpoint';
import { buildQuicheConfig } from './endpoint/quiche-config';
import { isOwnApplicationClose, mapQuicClose } from './quic-error-mapping';
import { QuicFrameLink } from './quic-frame-link';
import { quicLogger, resolveQuicLogLevel } from './quic-logger';
import { endpointSettings, resolveQuicOptions, type ResolvedQuicOptions } from './quic-options';
import { QuicheConfigs } from './quiche-configs';

function formatAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);
/** Peer identities remembered per transport (same certificate bytes, role and host: same verdict). */
const IDENTITY_CACHE_SIZE = 256;
const ignore = (): void => undefined;

/**
 * BoringSSL checks the server name natively but only against DNS SANs. For a loopback IP we let
 * it check 'localhost' and check the IP SAN ourselves after the handshake; other IPs need a DNS name.
 */
function nativeServerName(serverName: string): string {
  if (isIP(serverName) === 0) return serverName;
  if (LOOPBACK.has(serverName)) return 'localhost';
  throw new InvalidOptionsError(`QUIC dial to ${serverName} needs a DNS serverName: quiche verifies DNS names only`);
}

/** A handler for a connection that has no frame link yet (handshake, policy check). */
function pendingHandler(established: () => void, closed: (info: QuicCloseInfo) => void): ConnectionHandler {
  return { established, closed, streamReadable: ignore, afterEvent: ignore };
}

/** QUIC (RFC 9000) on our own endpoint over quiche, with mutual TLS 1.3 and one stream per exchange. */
export class QuicTransport extends TransportBase implements Transport {
  readonly kind = 'quic' as const;
  private server: QuicEndpoint | undefined;
  /** One UDP socket per local wildcard address, shared by all our dials (no bind per dial). */
  private readonly clientSockets = new Map<string, Promise<QuicEndpoint>>();
  private readonly identities = new Map<string, PeerIdentity>();
  private readonly quic: ResolvedQuicOptions;
  private readonly logger: Logger;
  private readonly configs = new QuicheConfigs((peerHost, credentials = this.credentials) => {
    const { verifyPeer, maxFrameBytes } = this.resolved;
    return buildQuicheConfig(endpointSettings(this.quic, credentials, verifyPeer, maxFrameBytes, peerHost));
  });

  constructor(quicOptions: QuicTransportOptions) {
    super(quicOptions);
    this.quic = resolveQuicOptions(quicOptions);
    this.logger = quicLogger(resolveQuicLogLevel(quicOptions.libraryLogLevel));
  }

  protected applyCredentials(credentials: TlsCredentials): void {
    // All first: a key or certificate BoringSSL refuses throws here and changes nothing.
    this.configs.rebuild(credentials);
  }

  private connectionOptions(): { coalesceSends: boolean; keepAliveIntervalMs: number; startTimeoutMs: number } {
    const { coalesceSends, keepAliveIntervalMs } = this.quic;
    return { coalesceSends, keepAliveIntervalMs, startTimeoutMs: this.resolved.connectTimeoutMs };
  }

  async listen(address: Partial<PeerAddress> = {}): Promise<ListenAddress> {
    this.assertUsable('server');
    if (this.server !== undefined) throw new TransportStateError('listen() was already called on this transport');
    const host = address.host ?? '127.0.0.1';
    // Built now: credentials BoringSSL refuses fail listen(), not the first handshake.
    this.configs.get('server', host);
    const server = await QuicEndpoint.open({
      host,
      port: address.port ?? 0,
      connection: this.connectionOptions(),
      accept: {
        config: (peer) => this.configs.get('server', peer.host),
        retry: this.quic.retry,
        onConnection: this.handleServerConnection,
      },
      onSocketError: (error) => this.reportError(new ConnectFailedError('listener', error.message, error)),
      debug: (message) => this.logger.debug(message),
    });
    if (this.state === 'closed') {
      await server.close();
      throw new TransportStateError('transport closed while listening');
    }
    this.server = server;
    return { host, port: server.port };
  }

  private readonly handleServerConnection = (connection: QuicConnection): void => {
    const address = formatAddress(connection.remote.host, connection.remote.port);
    const startedAt = performance.now();
    this.logger.info(`handshake from ${address}`);
    connection.handler = pendingHandler(
      () => this.acceptVerified(connection, address, startedAt),
      (info) => {
        // Our own refusals were reported where they were decided.
        const typed = isOwnApplicationClose(info) ? undefined : mapQuicClose(info);
        if (typed !== undefined) this.reportError(typed, address);
      },
    );
  };

  /** TLS accepted the client: our identity and policy checks run before any stream is served. */
  private acceptVerified(connection: QuicConnection, address: string, startedAt: number): void {
    let peer: PeerIdentity;
    try {
      if (this.state === 'closed') throw new TransportStateError('transport is closing');
      peer = this.identify(connection.native.peerCertChain() ?? [], 'client', address);
    } catch (error) {
      const typed = error instanceof AgentlinkError ? error : new ConnectionClosedError(String(error));
      this.reportError(typed, address);
      // A distinct code lets the dialer report a refusal (not a retryable close), as TLS/TCP does.
      const code = certificateRefusalReason(typed) === undefined ? AppCode.Shutdown : AppCode.PeerRefused;
      connection.close(true, code, typed.code);
      return;
    }
    const session = this.createSession(connection, 'inbound', peer, address);
    this.adopt(session, performance.now() - startedAt);
    connection.serve();
    session.sendHello().catch(() => session.destroy('could not send hello'));
  }

  private identify(
    chain: readonly Uint8Array[],
    role: 'client' | 'server',
    address: string,
    serverName?: string,
  ): PeerIdentity {
    if (!this.resolved.verifyPeer || chain.length === 0) return this.identifyPeer(chain, role, address, serverName);
    // The verdict is a pure function of these bytes, the role and the host (dates: checked natively).
    const key = `${role}|${serverName ?? ''}|${chain.map((der) => Buffer.from(der).toString('base64')).join('|')}`;
    const known = this.identities.get(key);
    if (known !== undefined) return known;
    const identity = this.identifyPeer(chain, role, address, serverName);
    if (this.identities.size >= IDENTITY_CACHE_SIZE) {
      this.identities.delete(this.identities.keys().next().value as string);
    }
    this.identities.set(key, identity);
    return identity;
  }

  private createSession(
    connection: QuicConnection,
    direction: 'inbound' | 'outbound',
    peer: PeerIdentity,
    address: string,
  ): Session {
    const { maxFrameBytes } = this.resolved;
    const mapClose = (info: QuicCloseInfo): AgentlinkError | undefined => mapQuicClose(info);
    const link = new QuicFrameLink(connection, maxFrameBytes, this.quic.maxConcurrentStreams, mapClose);
    return this.openSession(link, direction, peer, address);
  }

  async dial(address: PeerAddress, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Connection> {
    this.assertUsable('client');
    const target = formatAddress(address.host, address.port);
    const serverName = address.serverName ?? address.host;
    const timeoutMs = options.timeoutMs ?? this.resolved.connectTimeoutMs;
    const startedAt = performance.now();
    let connection: QuicConnection | undefined;
    let session: Session | undefined;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new ConnectTimeoutError(target, timeoutMs)), timeoutMs);
    });
    deadline.catch(ignore);
    let onAbort = ignore;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(new ConnectFailedError(target, 'dial aborted by the caller'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(ignore);
    try {
      options.signal?.throwIfAborted();
      const native = nativeServerName(serverName);
      const ip = isIP(address.host) !== 0 ? address.host : (await lookup(address.host)).address;
      const endpoint = await this.clientEndpoint(isIP(ip) === 6 ? '::' : '0.0.0.0');
      const config = this.configs.get('client', ip);
      const dialled = endpoint.connect(native, { host: ip, port: address.port }, config);
      connection = dialled;
      const handshake = new Promise<void>((resolve, reject) => {
        const closed = (info: QuicCloseInfo): void =>
          reject(mapQuicClose(info) ?? new ConnectionClosedError('closed during the handshake'));
        dialled.handler = pendingHandler(resolve, closed);
      });
      await Promise.race([handshake, deadline, aborted]);
      const peer = this.identify(dialled.native.peerCertChain() ?? [], 'server', target, serverName);
      session = this.createSession(dialled, 'outbound', peer, target);
      dialled.serve();
      if (this.resolved.dialMode === 'confirmed') {
        // A refused certificate arrives as the listener's CONNECTION_CLOSE, mapped by the link.
        await Promise.race([session.waitForHello(), deadline, aborted]);
      }
      if (this.state === 'closed') throw new TransportStateError('transport closed while dialling');
    } catch (error) {
      const typed = error instanceof AgentlinkError ? error : new ConnectFailedError(target, String(error), error);
      this.reportError(typed, target);
      session?.destroy('dial failed');
      connection?.close(true, AppCode.NoError, 'dial failed');
      throw typed;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
    this.adopt(session, performance.now() - startedAt);
    return session;
  }

  protected refusalError(error: Error): AgentlinkError {
    return error instanceof AgentlinkError ? error : new ConnectionClosedError(error.message);
  }

  private clientEndpoint(localHost: string): Promise<QuicEndpoint> {
    if (this.state === 'closed') return Promise.reject(new TransportStateError('transport closed while dialling'));
    const existing = this.clientSockets.get(localHost);
    if (existing !== undefined) {
      return existing.then((endpoint) => {
        if (!endpoint.stopped) return endpoint;
        // A socket that stopped by itself (socket error) is replaced on the next dial.
        if (this.clientSockets.get(localHost) === existing) this.clientSockets.delete(localHost);
        return this.clientEndpoint(localHost);
      });
    }
    const opened = QuicEndpoint.open({
      host: localHost,
      port: 0,
      connection: this.connectionOptions(),
      onSocketError: (error) => this.logger.warn(`client socket error: ${error.message}`),
      debug: (message) => this.logger.debug(message),
    });
    opened.catch(() => this.clientSockets.delete(localHost));
    this.clientSockets.set(localHost, opened);
    return opened;
  }

  /** Drains connections (up to drainTimeoutMs), then closes the listener and every client socket. */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.state === 'closed' && this.server === undefined && this.clientSockets.size === 0) return;
    await this.closeSessions(options);
    const endpoints = [...this.clientSockets.values()];
    this.clientSockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) endpoints.push(Promise.resolve(server));
    await Promise.all(endpoints.map((endpoint) => endpoint.then((e) => e.close()).catch(ignore)));
    this.configs.clear();
    this.identities.clear();
    this.events.removeAllListeners();
  }
}
