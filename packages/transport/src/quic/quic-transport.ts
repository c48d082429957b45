import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type Logger from '@matrixai/logger';
import { AgentlinkError } from '@agentlink/resilience';
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
import type { QuicheConfig } from './endpoint/native';
import type { ConnectionOptions, QuicConnection } from './endpoint/quic-connection';
import { QuicEndpoint } from './endpoint/quic-endpoint';
import { buildQuicheConfig } from './endpoint/quiche-config';
import { formatAddress, nativeServerName, pendingHandler } from './dial-support';
import type { EarlyDataPolicy } from './early-data-gate';
import { trackEarlyData } from './early-data-status';
import { PeerIdentities } from './peer-identities';
import { isOwnApplicationClose, mapQuicClose } from './quic-error-mapping';
import { QuicFrameLink } from './quic-frame-link';
import { quicLogger, resolveQuicLogLevel } from './quic-logger';
import { endpointSettings, resolveQuicOptions, type ResolvedQuicOptions } from './quic-options';
import { QuicheConfigs } from './quiche-configs';
import { ClientEndpoints } from './client-endpoints';
import { ZeroRttDialer } from './zero-rtt-dialer';
import { ZeroRttListener, type EarlyDataConfigs, type ListenerConfigs } from './zero-rtt-listener';

const ignore = (): void => undefined;

/** QUIC (RFC 9000) on our own endpoint over quiche, with mutual TLS 1.3 and one stream per exchange. */
export class QuicTransport extends TransportBase implements Transport {
  readonly kind = 'quic' as const;
  private server: QuicEndpoint | undefined;
  private readonly clientSockets: ClientEndpoints;
  private readonly identities: PeerIdentities;
  /** 0-RTT: the dialer's session tickets and the listener's early-data screening. */
  private readonly tickets: ZeroRttDialer | undefined;
  private zeroRttListener: ZeroRttListener | undefined;
  private readonly quic: ResolvedQuicOptions;
  private readonly logger: Logger;
  /** Per role and kind of peer (on this host: large datagrams); 0-RTT listeners use zeroRttListener. */
  private readonly configs = new QuicheConfigs((host, credentials) => this.config(credentials, undefined, host));

  constructor(quicOptions: QuicTransportOptions) {
    super(quicOptions);
    this.quic = resolveQuicOptions(quicOptions);
    this.logger = quicLogger(resolveQuicLogLevel(quicOptions.libraryLogLevel));
    const identifyPeer = this.identifyPeer.bind(this);
    this.identities = new PeerIdentities(identifyPeer, this.resolved.verifyPeer);
    const zeroRtt = this.quic.zeroRtt;
    const closed = (): boolean => this.state === 'closed';
    this.tickets = zeroRtt === undefined ? undefined : new ZeroRttDialer(zeroRtt.maxTickets, this.identities, closed);
    this.clientSockets = new ClientEndpoints((host) => this.openClientEndpoint(host));
  }

  protected applyCredentials(credentials: TlsCredentials): void {
    // Build all first: a key or certificate BoringSSL refuses throws here and changes nothing.
    const configs = this.zeroRttListener === undefined ? undefined : this.listenerConfigs(credentials);
    this.configs.rebuild(credentials);
    if (configs !== undefined) this.zeroRttListener?.replace(configs);
    // Tickets were issued to servers verified under the old trust: full handshakes from now on.
    this.tickets?.clear();
  }

  /** `peerHost`: a loopback address gets the large datagrams of a peer on this host (datagram-size.ts). */
  private config(credentials: TlsCredentials = this.credentials, earlyData?: boolean, peerHost = ''): QuicheConfig {
    const { verifyPeer, maxFrameBytes } = this.resolved;
    const settings = endpointSettings(this.quic, credentials, verifyPeer, maxFrameBytes, peerHost);
    return buildQuicheConfig(earlyData === undefined ? settings : { ...settings, earlyData });
  }

  /** Per kind of peer, as configs.get('server', host) on the 1-RTT path (datagram sizes differ). */
  private listenerConfigs(credentials: TlsCredentials = this.credentials): ListenerConfigs {
    const pair = (host: string): EarlyDataConfigs => ({
      early: this.config(credentials, true, host),
      plain: this.config(credentials, false, host),
    });
    return { loopback: pair('127.0.0.1'), path: pair('0.0.0.0') };
  }

  private earlyDataPolicy(verify?: () => void): EarlyDataPolicy | undefined {
    const zeroRtt = this.quic.zeroRtt;
    return zeroRtt === undefined ? undefined : { idempotentMethods: zeroRtt.idempotentMethods, verify };
  }

  private connectionOptions(): ConnectionOptions {
    const { coalesceSends, keepAliveIntervalMs, maxIdleTimeoutMs: idleTimeoutMs, tailLossProbe } = this.quic;
    const startTimeoutMs = this.resolved.connectTimeoutMs;
    const pathDatagramBytes = this.quic.maxUdpPayloadBytes;
    return { coalesceSends, keepAliveIntervalMs, startTimeoutMs, pathDatagramBytes, idleTimeoutMs, tailLossProbe };
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
        config: (datagram, header, peer) =>
          this.zeroRttListener === undefined
            ? this.configs.get('server', peer.host)
            : this.zeroRttListener.configFor(datagram, header, peer.host),
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
    // Created once the socket is bound (its key-rotation timer must not outlive a failed listen).
    this.zeroRttListener = this.quic.zeroRtt === undefined ? undefined : new ZeroRttListener(this.listenerConfigs());
    return { host, port: server.port };
  }

  private readonly handleServerConnection = (connection: QuicConnection): void => {
    const address = formatAddress(connection.remote.host, connection.remote.port);
    const startedAt = performance.now();
    this.logger.info(`handshake from ${address}`);
    const accept = (): void => this.acceptVerified(connection, address, startedAt);
    connection.handler = pendingHandler(
      accept,
      (info) => {
        // Our own refusals were reported where they were decided.
        const typed = isOwnApplicationClose(info) ? undefined : mapQuicClose(info);
        if (typed !== undefined) this.reportError(typed, address);
      },
      // 0-RTT: the session starts on the resumed chain; only idempotent methods run before the handshake.
      accept,
    );
    // The first datagram (which may carry early data) was read before this handler was set.
    if (connection.native.isInEarlyData() && !connection.closed) accept();
  };

  /** TLS accepted the client: our identity and policy checks run before any stream is served. */
  private acceptVerified(connection: QuicConnection, address: string, startedAt: number): void {
    let peer: PeerIdentity;
    try {
      if (this.state === 'closed') throw new TransportStateError('transport is closing');
      const chain = connection.native.peerCertChain() ?? [];
      peer = this.identities.identify(chain, 'client', address, undefined, connection.native.isResumed());
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

  private createSession(
    connection: QuicConnection,
    direction: 'inbound' | 'outbound',
    peer: PeerIdentity,
    address: string,
    verify?: () => void,
  ): Session {
    const { maxFrameBytes } = this.resolved;
    const mapClose = (info: QuicCloseInfo): AgentlinkError | undefined => mapQuicClose(info);
    const early = this.earlyDataPolicy(verify);
    const link = new QuicFrameLink(connection, maxFrameBytes, this.quic, mapClose, early);
    const session = this.openSession(link, direction, peer, address);
    if (direction === 'outbound') trackEarlyData(session, link);
    return session;
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
      const ticketKey = `${ip}|${address.port}|${serverName}`;
      const stored = this.tickets?.ticketFor(ticketKey);
      const dialled = endpoint.connect(native, { host: ip, port: address.port }, config, stored?.ticket);
      connection = dialled;
      if (stored !== undefined && this.resolved.dialMode === 'eager' && dialled.native.isInEarlyData()) {
        // 0-RTT: the session starts now on the ticket's verified server; idempotent requests leave
        // in this flight, the rest once the handshake completes and the server is checked again.
        const [peer, verify] = this.tickets!.resumedServer(dialled, target, serverName);
        session = this.createSession(dialled, 'outbound', peer, target, verify);
        dialled.serve();
        this.tickets!.keep(session, dialled, ticketKey);
        return this.dialled(session, startedAt);
      }
      const handshake = new Promise<void>((resolve, reject) => {
        const closed = (info: QuicCloseInfo): void =>
          reject(mapQuicClose(info) ?? new ConnectionClosedError('closed during the handshake'));
        dialled.handler = pendingHandler(resolve, closed);
      });
      await Promise.race([handshake, deadline, aborted]);
      const chain = dialled.native.peerCertChain() ?? [];
      const peer = this.identities.identify(chain, 'server', target, serverName, dialled.native.isResumed());
      session = this.createSession(dialled, 'outbound', peer, target);
      dialled.serve();
      this.tickets?.keep(session, dialled, ticketKey);
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
    return this.dialled(session, startedAt);
  }

  private dialled(session: Session, startedAt: number): Session {
    if (this.state === 'closed') {
      session.destroy('transport closed while dialling');
      throw new TransportStateError('transport closed while dialling');
    }
    this.adopt(session, performance.now() - startedAt);
    return session;
  }

  protected refusalError(error: Error): AgentlinkError {
    return error instanceof AgentlinkError ? error : new ConnectionClosedError(error.message);
  }

  private clientEndpoint(localHost: string): Promise<QuicEndpoint> {
    if (this.state === 'closed') return Promise.reject(new TransportStateError('transport closed while dialling'));
    return this.clientSockets.get(localHost);
  }

  private openClientEndpoint(localHost: string): Promise<QuicEndpoint> {
    return QuicEndpoint.open({
      host: localHost,
      port: 0,
      connection: this.connectionOptions(),
      onSocketError: (error) => this.logger.warn(`client socket error: ${error.message}`),
      debug: (message) => this.logger.debug(message),
    });
  }

  /** Drains connections (up to drainTimeoutMs), then closes the listener and every client socket. */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.state === 'closed' && this.server === undefined && this.clientSockets.size === 0) return;
    await this.closeSessions(options);
    const endpoints = this.clientSockets.takeAll();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) endpoints.push(Promise.resolve(server));
    await Promise.all(endpoints.map((endpoint) => endpoint.then((e) => e.close()).catch(ignore)));
    this.configs.clear();
    this.identities.clear();
    this.tickets?.clear();
    this.zeroRttListener?.stop();
    this.zeroRttListener = undefined;
    this.events.removeAllListeners();
  }
}
