import { isIP, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { InvalidOptionsError, type AgentlinkError } from '@agentlink/resilience';
import {
  CertificateVerificationError,
  ConnectFailedError,
  ConnectionClosedError,
  ConnectTimeoutError,
  TlsHandshakeError,
  TransportStateError,
} from '../errors';
import { encodeFrame, FrameType } from '../frame/frame-codec';
import type { PeerIdentity } from '../pki/certificate-inspection';
import { chainOf } from '../security/peer-verification';
import { mapTlsError } from '../security/tls-error-mapping';
import type { Session } from '../session/session';
import { TransportBase } from '../transport-base';
import type {
  CloseOptions,
  Connection,
  ListenAddress,
  PeerAddress,
  TcpTransportOptions,
  TlsCredentials,
  Transport,
} from '../types';
import { TcpFrameLink } from './tcp-frame-link';

/** ALPN protocol id of agentlink/1 on both transports. */
export const ALPN_PROTOCOL = 'agentlink/1';

function formatAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The address of an inbound socket. node:tls has destroyed a refused client's socket by the
 * time it reports 'tlsClientError'; the TCP socket underneath (read at 'connection') still knows.
 */
function remoteOf(socket: tls.TLSSocket): string | undefined {
  const raw = (socket as tls.TLSSocket & { _parent?: Socket })._parent ?? socket;
  return raw.remoteAddress === undefined ? undefined : formatAddress(raw.remoteAddress, raw.remotePort ?? 0);
}

/**
 * In TLS 1.3 the client finishes its handshake before the server judged the client certificate;
 * a close before the listener's hello therefore means the server refused us.
 */
export function refusedBeforeHello(error: unknown): AgentlinkError {
  if (error instanceof ConnectionClosedError) {
    return new TlsHandshakeError(
      'the server closed the connection before accepting this agent; its certificate was probably refused',
      error,
    );
  }
  return mapTlsError(error, 'listener');
}

/** TLS 1.3 over TCP with mutual authentication; every exchange multiplexed on one socket. */
export class TcpTlsTransport extends TransportBase implements Transport {
  readonly kind = 'tcp' as const;
  private server: tls.Server | undefined;
  private readonly handshakeStarts = new Map<string, number>();
  private readonly dialing = new Set<tls.TLSSocket>();
  /** Built once from the PEMs (key, chain, CA) and shared by every dial of this transport. */
  private clientContext: tls.SecureContext | undefined;

  constructor(options: TcpTransportOptions) {
    super(options);
  }

  private tlsOptions(credentials = this.credentials): tls.SecureContextOptions & tls.CommonConnectionOptions {
    return {
      key: credentials.keyPem,
      cert: credentials.certPem,
      ca: credentials.caPem,
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      ALPNProtocols: [ALPN_PROTOCOL],
      rejectUnauthorized: this.resolved.verifyPeer,
    };
  }

  protected applyCredentials(credentials: TlsCredentials): void {
    const options = this.tlsOptions(credentials);
    let clientContext: tls.SecureContext;
    try {
      clientContext = tls.createSecureContext(options);
    } catch (error) {
      throw new InvalidOptionsError(`credentials refused by TLS: ${(error as Error).message}`);
    }
    this.server?.setSecureContext(options);
    this.clientContext = clientContext;
  }

  async listen(address: Partial<PeerAddress> = {}): Promise<ListenAddress> {
    this.assertUsable('server');
    if (this.server !== undefined) throw new TransportStateError('listen() was already called on this transport');
    const server = tls.createServer({
      ...this.tlsOptions(),
      requestCert: true,
      handshakeTimeout: this.resolved.connectTimeoutMs,
    });
    this.server = server;
    server.on('connection', (raw: Socket) => {
      const key = `${raw.remoteAddress}:${raw.remotePort}`;
      this.handshakeStarts.set(key, performance.now());
      raw.once('close', () => this.handshakeStarts.delete(key));
    });
    server.on('secureConnection', (socket: tls.TLSSocket) => this.accept(socket));
    server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
      // Node closes a refused client without telling us why; the socket still knows.
      const verifyError = (socket as tls.TLSSocket & { authorizationError?: Error | string }).authorizationError;
      const typed =
        verifyError !== undefined && verifyError !== null
          ? new CertificateVerificationError(String((verifyError as { code?: string }).code ?? verifyError), error)
          : mapTlsError(error, 'inbound');
      const reported = typed instanceof ConnectFailedError ? new TlsHandshakeError(error.message, error) : typed;
      this.reportError(reported, remoteOf(socket));
      socket.destroy();
    });
    server.on('error', () => {
      this.events.emit('transportError', { transport: 'tcp', code: 'ERR_LISTENER' });
    });
    const host = address.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address() as { address: string; port: number };
    return { host: bound.address, port: bound.port };
  }

  private accept(socket: tls.TLSSocket): void {
    const address = formatAddress(socket.remoteAddress ?? '?', socket.remotePort ?? 0);
    const startedAt = this.handshakeStarts.get(`${socket.remoteAddress}:${socket.remotePort}`) ?? performance.now();
    socket.on('error', () => undefined); // reported through the link once it exists
    socket.setNoDelay(true);
    if (this.state === 'closed') {
      // Tell the dialer we are going away, so it does not mistake this for a refused certificate.
      socket.end(encodeFrame(FrameType.GoAway, 0, new Uint8Array(0), this.resolved.maxFrameBytes));
      return;
    }
    let peer: PeerIdentity;
    try {
      if (socket.alpnProtocol !== ALPN_PROTOCOL) {
        throw new TlsHandshakeError(`peer did not negotiate ALPN ${ALPN_PROTOCOL}`);
      }
      const cert = socket.getPeerX509Certificate();
      peer = this.identifyPeer(cert === undefined ? [] : chainOf(cert), 'client', address);
    } catch (error) {
      this.reportError(mapTlsError(error, address), address);
      socket.destroy();
      return;
    }
    const session = this.createSession(socket, 'inbound', peer, address);
    this.adopt(session, performance.now() - startedAt);
    session.sendHello().catch(() => session.destroy('could not send hello'));
  }

  private createSession(
    socket: tls.TLSSocket,
    direction: 'inbound' | 'outbound',
    peer: PeerIdentity,
    address: string,
  ): Session {
    return this.openSession(new TcpFrameLink(socket, this.resolved.maxFrameBytes), direction, peer, address);
  }

  async dial(address: PeerAddress, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Connection> {
    this.assertUsable('client');
    const port = address.tcpPort ?? address.port;
    const target = formatAddress(address.host, port);
    const serverName = address.serverName ?? address.host;
    const timeoutMs = options.timeoutMs ?? this.resolved.connectTimeoutMs;
    const startedAt = performance.now();
    this.clientContext ??= tls.createSecureContext(this.tlsOptions());
    const socket = tls.connect({
      secureContext: this.clientContext,
      ALPNProtocols: [ALPN_PROTOCOL],
      rejectUnauthorized: this.resolved.verifyPeer,
      host: address.host,
      port,
      servername: isIP(serverName) === 0 ? serverName : undefined,
      checkServerIdentity: (_host, cert) =>
        this.resolved.verifyPeer ? tls.checkServerIdentity(serverName, cert) : undefined,
    });
    this.dialing.add(socket);
    let session: Session | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      socket.destroy(options.signal?.reason as Error);
      session?.destroy('dial aborted');
    };
    try {
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new ConnectTimeoutError(target, timeoutMs)), timeoutMs);
      });
      options.signal?.throwIfAborted();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      await Promise.race([
        deadline,
        new Promise<void>((resolve, reject) => {
          socket.once('secureConnect', resolve);
          socket.once('error', reject);
          socket.once('close', () => reject(new TlsHandshakeError('connection closed during the handshake')));
        }),
      ]);
      socket.removeAllListeners('secureConnect');
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      if (socket.alpnProtocol !== ALPN_PROTOCOL) {
        throw new TlsHandshakeError(`server did not negotiate ALPN ${ALPN_PROTOCOL}`);
      }
      const cert = socket.getPeerX509Certificate();
      const peer = this.identifyPeer(cert === undefined ? [] : chainOf(cert), 'server', target, serverName);
      session = this.createSession(socket, 'outbound', peer, target);
      // Eager: our Finished is written; requests may follow it at once (the server is verified).
      if (this.resolved.dialMode === 'confirmed') await Promise.race([deadline, session.waitForHello()]);
      if (this.state === 'closed') throw new TransportStateError('transport closed while dialling');
    } catch (error) {
      const typed = mapTlsError(error, target);
      this.reportError(typed, target);
      session?.destroy('dial failed');
      socket.destroy();
      throw typed;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      this.dialing.delete(socket);
    }
    this.adopt(session, performance.now() - startedAt);
    return session;
  }

  protected refusalError(error: Error): AgentlinkError {
    return refusedBeforeHello(error);
  }

  /** Drains connections (up to drainTimeoutMs), then closes the listener and every socket. */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.state === 'closed' && this.server === undefined) return;
    for (const socket of this.dialing) socket.destroy();
    await this.closeSessions(options);
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.removeAllListeners();
    }
    this.handshakeStarts.clear();
    this.events.removeAllListeners();
  }
}
