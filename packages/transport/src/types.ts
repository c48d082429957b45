import type { PeerIdentity } from './pki/certificate-inspection';
import type { CertificateRefusalReason } from './security/policy-reasons';

export type TransportKind = 'quic' | 'tcp';
export type Direction = 'inbound' | 'outbound';

/** Where to listen or dial. `serverName` (dial only) is checked against the server's SANs; default host. */
export interface PeerAddress {
  readonly host: string;
  readonly port: number;
  readonly serverName?: string;
  /** TCP port for the fallback transport when it differs from the QUIC port. */
  readonly tcpPort?: number;
}

/** Address a listener is bound to. `tcpPort` is set by the fallback transport. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly tcpPort?: number;
}

/** Own certificate chain, key and the fleet CA, all PEM. */
export interface TlsCredentials {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

/**
 * When dial() resolves. 'confirmed': once the listener has accepted our certificate (its hello
 * frame arrived; one round trip after the handshake). 'eager': as soon as our own side of the
 * handshake is done and the server's certificate is verified; the first request leaves at once
 * and a refusal of our certificate fails the calls in flight (and later ones) instead of dial().
 */
export type DialMode = 'confirmed' | 'eager';

/** Options shared by both transports. */
export interface TransportOptions {
  readonly credentials: TlsCredentials;
  /** Largest frame payload accepted or sent, in bytes. Default 4 MiB. */
  readonly maxFrameBytes?: number;
  /** Dial deadline in ms: connect + TLS (+ the listener's hello in 'confirmed' mode). Default 10,000. */
  readonly connectTimeoutMs?: number;
  /**
   * 'confirmed' (default): dial() waits for the listener to accept our certificate. 'eager':
   * dial() resolves once the server is verified, saving one round trip; a refusal of our
   * certificate then rejects the first requests with the error dial() would have thrown
   * (e.g. ERR_TLS_HANDSHAKE), and the listener's handlers never run for a refused dialer.
   */
  readonly dialMode?: DialMode;
  /** Default deadline of a request in ms when the call gives none. Default 30,000. */
  readonly requestTimeoutMs?: number;
  /** How long close() waits for in-flight requests before forcing, in ms. Default 5,000. */
  readonly drainTimeoutMs?: number;
  /** Interval of the certificate expiry check in ms. Default 3,600,000 (1 h). */
  readonly certificateCheckIntervalMs?: number;
  /**
   * Development mode, off unless set: accept certificates marked OU=agentlink-development (own,
   * CA and peers') and allow `insecureSkipPeerVerification`. Without it both are refused with
   * ProductionGuardError. Nothing else (NODE_ENV included) switches this on. Default false.
   */
  readonly development?: boolean;
  /**
   * Skip verification of the peer's chain and the certificate policy for peers. Needs
   * `development: true` (else ProductionGuardError ERR_VERIFICATION_DISABLED_IN_PRODUCTION). Default false.
   */
  readonly insecureSkipPeerVerification?: boolean;
}

export interface QuicTransportOptions extends TransportOptions {
  /** Keep-alive PING interval in ms. Default 10,000. */
  readonly keepAliveIntervalMs?: number;
  /** Idle timeout in ms; a silent peer is dropped after it. Default 30,000. */
  readonly maxIdleTimeoutMs?: number;
  /**
   * Concurrent streams per connection (own limit, calls beyond it queue). Default 100. A listener
   * also takes at most this many lane exchanges of a dialer at once.
   */
  readonly maxConcurrentStreams?: number;
  /**
   * Lanes (README "Lanes"): a dialer sends requests and one-way messages whose frame (12-byte
   * header, method and body) is at most this many bytes on one shared stream, interleaved as over
   * TCP, when the listener offers lanes; quiche then packs many into one packet. Larger and
   * streamed exchanges, and everything before the listener's Hello, get a stream of their own.
   * A listener with 0 does not offer lanes; a dialer with 0 does not use them. Default 1,024.
   */
  readonly laneMaxBytes?: number;
  /**
   * ALPN protocols offered (dialer) and accepted (listener), most preferred first; both peers
   * need one in common. Default ['agentlink/1']; other values are for interoperability tests.
   */
  readonly alpn?: readonly string[];
  /**
   * Listener only: answer a client's first Initial with a stateless Retry (address validation,
   * one extra round trip per new connection). `false` saves that round trip; turn it off only on
   * trusted networks or when not under load. The anti-amplification limit (3x the bytes received)
   * still applies; our chains (ECDSA P-256 leaf + CA) fit in it. Retry tokens are HMACs over
   * the client address, its first connection id and an expiry (10 s), keyed by a secret that
   * rotates every minute. Default true.
   */
  readonly retry?: boolean;
  /**
   * Batch QUIC sends to one per event-loop turn, so an answer rides with its ACK and a request's
   * data and FIN share a datagram. `false` sends after every event (lower latency on an idle
   * link, more datagrams). Default true.
   */
  readonly coalesceSends?: boolean;
  /**
   * Our own tail-loss probe: when data has been in flight for a probe timeout by an RTT we measure
   * ourselves, send three PINGs so the peer's ACKs get a lost packet resent. quiche's own RTT
   * estimate runs many round trips long on connections that send little (README "Loss recovery
   * when little is in flight"). Default true.
   */
  readonly tailLossProbe?: boolean;
  /**
   * quiche's congestion controller: 'bbr' (default), 'cubic' or 'reno'. BBR keeps the window at
   * the path's bandwidth-delay product under random loss; CUBIC and Reno cut it at every loss
   * (BENCHMARKS.md section 3). Each side chooses for what it sends.
   */
  readonly congestionControl?: QuicCongestionControl;
  /**
   * Largest UDP payload sent to, and accepted from, a peer on another host, 1,200-16,384.
   * Default 1,350: fits a 1,500-byte MTU with room for tunnels; nothing discovers the path MTU,
   * and a datagram larger than the path allows is lost. Raise it only to what every path to
   * your peers carries (interface MTU minus 28 for IPv4, 48 for IPv6), on both peers: each
   * side accepts at most its own value. Peers on this host always get 16 KiB datagrams.
   */
  readonly maxUdpPayloadBytes?: number;
  /**
   * Log level of the QUIC endpoint's logger (to stderr): handshakes, dropped datagrams, socket
   * errors. Default: the AGENTLINK_QUIC_LOG environment variable, else 'silent'. 'debug' is very
   * verbose; use it on one agent.
   */
  readonly libraryLogLevel?: QuicLibraryLogLevel;
  /**
   * 0-RTT resumption (README "0-RTT and replay"); off unless set. A dialer keeps each peer's TLS
   * session ticket and, in 'eager' dial mode, sends requests of `idempotentMethods` in its first
   * flight; a listener accepts early data and runs only those methods before the handshake
   * completes. Everything else waits for the handshake on both sides.
   */
  readonly zeroRtt?: ZeroRttOptions;
}

/** Which calls may travel as 0-RTT early data, which an attacker can replay. */
export interface ZeroRttOptions {
  /**
   * Methods whose handlers are safe to run more than once for one call (reads, idempotent
   * writes). Declare the same list on dialers and listeners: each side trusts only its own.
   */
  readonly idempotentMethods: readonly string[];
  /** Dialer: session tickets kept, one per peer address; the oldest is dropped beyond it. Default 256. */
  readonly maxTickets?: number;
}

export type QuicCongestionControl = 'bbr' | 'cubic' | 'reno';

export type QuicLibraryLogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

export type TcpTransportOptions = TransportOptions;

/** Context given to a handler. */
export interface HandlerContext {
  readonly method: string;
  readonly connection: Connection;
  /** Aborted when the caller cancels, its deadline passes or the connection closes. */
  readonly signal: AbortSignal;
  /** Set for streamed requests: the body chunks, pulled with backpressure. */
  readonly chunks?: AsyncIterable<Uint8Array>;
}

/** A request handler returns the response body (ignored for one-way messages). */
export type Handler = (body: Uint8Array, context: HandlerContext) => Promise<Uint8Array | void> | Uint8Array | void;

export interface RequestOptions {
  /** Deadline in ms; default the transport's requestTimeoutMs. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface CloseOptions {
  /** Wait at most this long for in-flight requests, in ms. Default drainTimeoutMs. */
  readonly drainTimeoutMs?: number;
  /** Skip draining: fail in-flight requests now. */
  readonly force?: boolean;
}

/** One secure connection to one peer. */
export interface Connection {
  readonly id: string;
  readonly transport: TransportKind;
  readonly direction: Direction;
  /** Identity read from the peer's verified certificate. */
  readonly peer: PeerIdentity;
  readonly remoteAddress: string;
  readonly closed: boolean;
  /** Resolves with the reason once the connection is fully closed. */
  readonly closedPromise: Promise<string>;
  /**
   * Resolves once the listener has accepted this dialler (already resolved for inbound
   * connections and after a 'confirmed' dial); rejects with the refusal error (the error a
   * 'confirmed' dial() would throw) when an 'eager' dial is refused. Awaiting it is optional.
   */
  readonly accepted: Promise<void>;
  request(method: string, body: Uint8Array, options?: RequestOptions): Promise<Uint8Array>;
  requestJson<T = unknown>(method: string, value: unknown, options?: RequestOptions): Promise<T>;
  /** Fire-and-forget message; resolves once written. */
  send(method: string, body: Uint8Array): Promise<void>;
  /** Sends a large body in chunks with backpressure; resolves with the response. */
  stream(
    method: string,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: RequestOptions,
  ): Promise<Uint8Array>;
  /** Registers a handler for requests the peer sends on this connection. */
  handle(method: string, handler: Handler): void;
  close(options?: CloseOptions): Promise<void>;
}

/** Event payloads emitted by every transport (telemetry listens to these names). */
export interface TransportEvents {
  connectionOpened: { transport: TransportKind; peer: string; direction: Direction; handshakeMs: number };
  connectionClosed: { transport: TransportKind; peer: string; direction: Direction; reason: string };
  messageSent: { transport: TransportKind; peer: string; method: string; bytes: number };
  messageReceived: { transport: TransportKind; peer: string; method: string; bytes: number };
  requestCompleted: {
    transport: TransportKind;
    peer: string;
    method: string;
    latencyMs: number;
    outcome: 'ok' | 'error' | 'timeout';
  };
  /**
   * `reason` is set when we refused the peer's certificate (codes ERR_PEER_CERT_POLICY,
   * ERR_CERT_VERIFICATION, ERR_PEER_IDENTITY): the policy rule, 'chain' or 'identity'.
   */
  transportError: { transport: TransportKind; peer?: string; code: string; reason?: CertificateRefusalReason };
  certificateExpiry: { subject: string; secondsLeft: number };
  fallback: { from: 'quic'; to: 'tcp'; peer: string };
}

export type TransportEventName = keyof TransportEvents;
export type TransportListener<K extends TransportEventName> = (payload: TransportEvents[K]) => void;

/** Listens for inbound connections and dials outbound ones. */
export interface Transport {
  readonly kind: TransportKind | 'fallback';
  listen(address?: Partial<PeerAddress>): Promise<ListenAddress>;
  dial(address: PeerAddress, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<Connection>;
  /** Registers a handler for every inbound and outbound connection of this transport. */
  handle(method: string, handler: Handler): void;
  /** Called for each new inbound connection once the peer is verified. */
  onConnection(listener: (connection: Connection) => void): void;
  readonly connections: ReadonlySet<Connection>;
  on<K extends TransportEventName>(event: K, listener: TransportListener<K>): this;
  off<K extends TransportEventName>(event: K, listener: TransportListener<K>): this;
  /**
   * Rotates own certificate, key and trusted CAs for new connections; open connections keep
   * theirs. Throws a typed error (and changes nothing) for unusable credentials.
   */
  updateCredentials(credentials: TlsCredentials): void;
  close(options?: CloseOptions): Promise<void>;
}
