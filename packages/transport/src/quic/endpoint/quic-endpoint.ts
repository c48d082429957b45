import dgram from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { ConnectionIdMap, randomConnectionId } from './connection-ids';
import { CID_LENGTH, quiche, type QuicheConfig, type QuicheHost } from './native';
import { admitDatagram } from './packet-admission';
import { parsePacketHeader, type PacketHeader } from './packet-header';
import { QuicConnection, type ConnectionOptions } from './quic-connection';
import { RetryTokens } from './retry-tokens';

/** Accepting side of an endpoint (a listener). */
export interface AcceptOptions {
  /**
   * The config for a new connection from `peer`, read per connection (credentials rotate; 0-RTT
   * screening picks one with or without early data; a peer on this host gets large datagrams);
   * undefined drops its first datagram (a replay).
   */
  readonly config: (datagram: Buffer, header: PacketHeader, peer: QuicheHost) => QuicheConfig | undefined;
  /** Stateless Retry before any state is created (address validation, one more round trip). */
  readonly retry: boolean;
  /** A new connection whose first packet quiche accepted; set its handler here. */
  readonly onConnection: (connection: QuicConnection) => void;
  /** Handshakes in progress at once; Initials beyond it are dropped. Default 1,024. */
  readonly maxHandshakes?: number;
}

export interface EndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly connection: ConnectionOptions;
  readonly accept?: AcceptOptions;
  /** Socket errors (the endpoint stays usable where the OS allows); never thrown. */
  readonly onSocketError?: (error: Error) => void;
  /** Debug lines: dropped datagrams and why. */
  readonly debug?: (message: string) => void;
}

/** Counters of what the endpoint did with datagrams nobody asked for. */
export interface EndpointCounters {
  received: number;
  dropped: number;
  versionNegotiations: number;
  retries: number;
}

const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

let lastHost = '';
let lastFamily = 0;
/**
 * We only send to IP addresses: answer dgram's lookup at once instead of through dns.lookup,
 * which calls back on the next tick (a tick and a closure per datagram).
 */
function literalLookup(host: string, options: LookupOneOptions | number, callback: LookupCallback): void {
  // Nearly every send goes to the address of the send before: skip isIP()'s regular expression.
  if (host !== lastHost) {
    lastHost = host;
    lastFamily = isIP(host);
  }
  const family = lastFamily;
  if (family !== 0) callback(null, host, family);
  else dnsLookup(host, typeof options === 'number' ? { family: options } : options, callback);
}
/** How long close() lets connections drain (send their CONNECTION_CLOSE, RFC 9000 §10.2) before dropping them. */
const CLOSE_DRAIN_MS = 250;

/**
 * One UDP socket and the QUIC connections on it, found by destination connection id. A listener
 * admits new connections (version negotiation, Retry); a dial-only endpoint drops what it does
 * not know. No datagram can throw out of the socket's 'message' handler.
 */
export class QuicEndpoint {
  readonly counters: EndpointCounters = { received: 0, dropped: 0, versionNegotiations: 0, retries: 0 };
  private readonly connections = new ConnectionIdMap<QuicConnection>();
  private readonly retryTokens: RetryTokens | undefined;
  private readonly local: QuicheHost;
  private handshaking = 0;
  private closing = false;
  private socketClosed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly options: EndpointOptions,
  ) {
    const address = socket.address();
    this.local = { host: address.address, port: address.port };
    this.retryTokens = options.accept?.retry === true ? new RetryTokens() : undefined;
    socket.on('message', this.onMessage);
    socket.on('error', this.onError);
    socket.on('close', () => {
      this.socketClosed = true;
    });
  }

  /** Binds a UDP socket on host:port (0: ephemeral). */
  static async open(options: EndpointOptions): Promise<QuicEndpoint> {
    // A larger receive queue absorbs bursts (the kernel caps it at net.core.rmem_max).
    const type = isIP(options.host) === 6 ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type, recvBufferSize: RECV_BUFFER_BYTES, lookup: literalLookup });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new QuicEndpoint(socket, options);
  }

  get port(): number {
    return this.local.port;
  }

  get host(): string {
    return this.local.host;
  }

  /** Connections (handshaking, open or draining) on this socket. */
  get size(): number {
    return this.connections.size;
  }

  get stopped(): boolean {
    return this.socketClosed || this.closing;
  }

  /** Starts a client handshake to `remote` (an IP address) and sends its first flight. */
  connect(
    serverName: string | undefined,
    remote: QuicheHost,
    config: QuicheConfig,
    ticket?: Uint8Array,
  ): QuicConnection {
    const scid = randomConnectionId();
    const native = quiche.Connection.connect(serverName ?? null, scid, this.local, remote, config);
    if (ticket !== undefined) native.setSession(ticket);
    const connection = this.adopt(native, 'client', remote);
    this.connections.add(scid, connection);
    connection.flush();
    return connection;
  }

  /** Closes every connection (CONNECTION_CLOSE, short drain), then the socket. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const all = [...this.connections.values()];
    for (const connection of all) connection.close(true, 0, 'endpoint closing');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(all.map((connection) => connection.finished)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, CLOSE_DRAIN_MS);
      }),
    ]);
    clearTimeout(timer);
    for (const connection of this.connections.values()) connection.discard();
    if (!this.socketClosed) await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private adopt(native: QuicConnection['native'], role: 'client' | 'server', remote: QuicheHost): QuicConnection {
    return new QuicConnection(native, role, remote, this.local, this.send, this.options.connection, this.forget);
  }

  private readonly forget = (connection: QuicConnection): void => {
    this.connections.delete(connection);
  };

  /** Sends one datagram; true when the socket is done with its bytes (the buffer may be reused). */
  private readonly send = (datagram: Buffer, to: QuicheHost): boolean => {
    if (this.socketClosed) return true;
    // No callback: a send error (ICMP unreachable, buffer full) is a lost packet to QUIC, which
    // recovery handles, and a callback costs a tick per datagram.
    this.socket.send(datagram, to.port, to.host);
    // Sent synchronously unless the kernel's buffer was full: then libuv holds on to the bytes.
    return this.socket.getSendQueueCount() === 0;
  };

  private readonly onError = (error: Error): void => {
    this.options.onSocketError?.(error);
  };

  private readonly onMessage = (datagram: Buffer, remote: dgram.RemoteInfo): void => {
    this.counters.received += 1;
    try {
      // A short header (every packet once a connection is up) carries our id at a fixed offset:
      // find its connection without a header object, views or an address object per datagram.
      if (datagram.byteLength > CID_LENGTH && ((datagram[0] as number) & 0x80) === 0) {
        const known = this.connections.getAt(datagram, 1, 1 + CID_LENGTH);
        if (known !== undefined) {
          known.receive(datagram, remote.address, remote.port);
          return;
        }
      }
      this.route(datagram, { host: remote.address, port: remote.port });
    } catch (error) {
      // Defence in depth: whatever a datagram provokes stays with that datagram.
      this.drop(`datagram handling failed: ${(error as Error).message}`);
    }
  };

  private route(datagram: Buffer, from: QuicheHost): void {
    const header = parsePacketHeader(datagram);
    if (header === undefined) {
      this.drop('unparsable QUIC header');
      return;
    }
    const known = this.connections.get(header.dcid);
    if (known !== undefined) {
      known.receive(datagram, from.host, from.port);
      return;
    }
    const accept = this.options.accept;
    if (accept === undefined || this.closing) {
      this.drop('no connection for this connection id');
      return;
    }
    this.admit(header, datagram, from, accept);
  }

  private admit(header: PacketHeader, datagram: Buffer, from: QuicheHost, accept: AcceptOptions): void {
    if (this.handshaking >= (accept.maxHandshakes ?? 1024)) {
      this.drop('too many handshakes in progress');
      return;
    }
    const decision = admitDatagram(header, datagram.byteLength, `${from.host}:${from.port}`, this.retryTokens);
    if (decision.kind === 'drop') {
      this.drop(decision.why);
      return;
    }
    if (decision.kind === 'reply') {
      if (decision.why === 'retry') this.counters.retries += 1;
      else this.counters.versionNegotiations += 1;
      this.send(decision.datagram, from);
      return;
    }
    const config = accept.config(datagram, header, from);
    if (config === undefined) {
      this.drop('replayed first flight');
      return;
    }
    const native = quiche.Connection.accept(decision.scid, decision.odcid ?? null, this.local, from, config);
    const connection = this.adopt(native, 'server', from);
    connection.receive(datagram, from.host, from.port);
    // An Initial that did not decrypt (forged, corrupted) must leave nothing behind.
    if (native.stats().recv === 0 || connection.closed) {
      connection.discard();
      this.drop('Initial rejected by quiche');
      return;
    }
    this.connections.add(decision.scid, connection);
    // Until it switches to our id, the client retransmits its Initial to the one it chose.
    if (decision.odcid === undefined) this.connections.add(header.dcid, connection);
    this.handshaking += 1;
    let counted = true;
    const settle = (): void => {
      if (counted) this.handshaking -= 1;
      counted = false;
    };
    connection.onHandshakeDone = settle;
    void connection.finished.then(settle);
    accept.onConnection(connection);
  }

  private drop(why: string): void {
    this.counters.dropped += 1;
    this.options.debug?.(`dropped a datagram: ${why}`);
  }
}
