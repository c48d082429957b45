import { EventEmitter } from 'node:events';
import type { Connection, Transport } from '@agentlink/transport';
import { InvalidOptionsError } from '@agentlink/resilience';
import { UnknownPeerError } from '../errors';
import type { FleetLink, LinkEvents, LinkRequestOptions, MessageHandler, PeerEndpoint } from './fleet-link';
import { decodeJson, encodeJson } from './json-codec';
import { METHODS } from './protocol';
import { RoundTripEstimator } from './round-trip-estimator';

export interface TransportFleetLinkOptions {
  readonly agentId: string;
  /** 'quic', 'tcp' or 'auto'; reported only. */
  readonly kind: string;
  /** A fresh @agentlink/transport instance; the link owns and closes it. */
  readonly transport: Transport;
  /**
   * Dial budget in ms, separate from the request's deadline (which starts once the connection is
   * open). Default 2,000 (a dead QUIC peer answers nothing, so keep it short); it grows to four
   * retransmission timeouts of the round trips seen to that peer, so a slow but answering network
   * (a QUIC handshake with Retry and the hello is about four round trips) still connects.
   */
  readonly connectTimeoutMs?: number;
  /** Request deadline in ms when the caller gives none, dial not included. Default 10,000. */
  readonly requestTimeoutMs?: number;
}

/** FleetLink on @agentlink/transport: one connection per peer, inbound or outbound, dialled on demand. */
export class TransportFleetLink extends EventEmitter<LinkEvents> implements FleetLink {
  readonly agentId: string;
  readonly kind: string;
  readonly #transport: Transport;
  readonly #connectTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #connections = new Map<string, Connection>();
  readonly #dialling = new Map<string, Promise<Connection>>();
  readonly #roundTrips: RoundTripEstimator;
  /** The link's own telemetry events: network round trips and handler times. */
  readonly #measures = new EventEmitter();
  #directory: ReadonlyMap<string, PeerEndpoint> = new Map();
  #closed = false;

  constructor(options: TransportFleetLinkOptions) {
    super();
    if (typeof options?.agentId !== 'string' || options.agentId.length === 0)
      throw new InvalidOptionsError('agentId is required');
    this.agentId = options.agentId;
    this.kind = options.kind;
    this.#transport = options.transport;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    const floorMs = this.#connectTimeoutMs;
    this.#roundTrips = new RoundTripEstimator({ floorMs, capMs: Math.max(floorMs, 30_000), factor: 4 });
    this.#transport.onConnection((connection) => this.#track(connection));
  }

  /** The transport's events plus the link's `roundTrip` (pings) and `requestHandled` (handlers). */
  get telemetrySource(): FleetLink['telemetrySource'] {
    const transport = this.#transport as unknown as FleetLink['telemetrySource'];
    const measures = this.#measures;
    const own = (event: string): boolean => event === 'roundTrip' || event === 'requestHandled';
    return {
      on: (event, listener) =>
        own(event) ? measures.on(event, listener as (payload: unknown) => void) : transport.on(event, listener),
      off: (event, listener) =>
        own(event) ? measures.off(event, listener as (payload: unknown) => void) : transport.off(event, listener),
    };
  }

  async listen(host: string, port: number, tcpPort?: number): Promise<PeerEndpoint> {
    // TLS over TCP alone listens where peers dial it: tcpPort (udpPort only when none is given).
    const tcpOnly = this.#transport.kind === 'tcp';
    const bound = await this.#transport.listen({ host, port: tcpOnly ? (tcpPort ?? port) : port, tcpPort });
    return {
      host: bound.host,
      port: bound.port,
      tcpPort: bound.tcpPort ?? (this.#transport.kind === 'tcp' ? bound.port : undefined),
    };
  }

  setDirectory(directory: ReadonlyMap<string, PeerEndpoint>): void {
    this.#directory = new Map(directory);
  }

  handle(method: string, handler: MessageHandler): void {
    this.#transport.handle(method, async (bytes, context) => {
      const startedAt = performance.now();
      let outcome: 'ok' | 'error' = 'error';
      try {
        const answer = await handler(decodeJson(method, bytes), {
          from: context.connection.peer.agentId,
          signal: context.signal,
        });
        outcome = 'ok';
        return encodeJson(answer);
      } finally {
        this.#measures.emit('requestHandled', { method, handlerMs: performance.now() - startedAt, outcome });
      }
    });
  }

  async request<T>(peerId: string, method: string, body: unknown, options: LinkRequestOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#requestTimeoutMs;
    options.signal?.throwIfAborted();
    const connection = await this.#connectionTo(peerId, options.signal);
    const sentAt = performance.now();
    const answer = await connection.request(method, encodeJson(body), { timeoutMs, signal: options.signal });
    // A ping's handler does no work: its round trip on an open connection is the network's latency.
    if (method === METHODS.ping) {
      const rttMs = performance.now() - sentAt;
      this.#roundTrips.observe(peerId, rttMs);
      this.#measures.emit('roundTrip', { transport: connection.transport, peer: peerId, rttMs });
    }
    return decodeJson(method, answer) as T;
  }

  /** The dial budget to `peerId` now, in ms (connectTimeoutMs, or more on a slow network). */
  connectBudgetMs(peerId: string): number {
    return this.#roundTrips.deadline(peerId);
  }

  /** Peers with an open connection now. */
  connectedPeers(): string[] {
    return [...this.#connections.keys()];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#transport.close({ drainTimeoutMs: 1_000 });
    this.#connections.clear();
    this.#dialling.clear();
    this.#roundTrips.clear();
    this.#measures.removeAllListeners();
    this.removeAllListeners();
  }

  /**
   * The open connection to `peerId`, or one dial shared by every caller. The dial has its own
   * budget and is not cancelled by one caller's signal: that caller alone stops waiting.
   */
  #connectionTo(peerId: string, signal?: AbortSignal): Promise<Connection> {
    const open = this.#connections.get(peerId);
    if (open !== undefined && !open.closed) return Promise.resolve(open);
    let dial = this.#dialling.get(peerId);
    if (dial === undefined) {
      const endpoint = this.#directory.get(peerId);
      if (endpoint === undefined) return Promise.reject(new UnknownPeerError(peerId));
      const address = {
        host: endpoint.host,
        port: endpoint.port,
        tcpPort: endpoint.tcpPort,
        serverName: endpoint.serverName,
      };
      dial = this.#transport
        .dial(address, { timeoutMs: this.connectBudgetMs(peerId) })
        .then((connection) => {
          this.#track(connection);
          return connection;
        })
        .finally(() => this.#dialling.delete(peerId));
      this.#dialling.set(peerId, dial);
    }
    return signal === undefined ? dial : abortable(dial, signal);
  }

  #track(connection: Connection): void {
    const peerId = connection.peer.agentId;
    const previous = this.#connections.get(peerId);
    this.#connections.set(peerId, connection);
    if (previous === undefined || previous.closed) this.emit('peerUp', peerId);
    void connection.closedPromise.then((reason) => {
      if (this.#closed || this.#connections.get(peerId) !== connection) return;
      const other = [...this.#transport.connections].find(
        (c) => c !== connection && !c.closed && c.peer.agentId === peerId,
      );
      if (other !== undefined) {
        this.#connections.set(peerId, other);
        return;
      }
      this.#connections.delete(peerId);
      this.emit('peerDown', peerId, reason);
    });
  }
}

/** `promise`, or a rejection with the signal's reason once `signal` aborts (the promise runs on). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
