import { EventEmitter } from 'node:events';
import type { Connection, Transport } from '@agentlink/transport';
import { InvalidOptionsError } from '@agentlink/resilience';
import { UnknownPeerError } from '../errors';
import type { FleetLink, LinkEvents, LinkRequestOptions, MessageHandler, PeerEndpoint } from './fleet-link';
import { decodeJson, encodeJson } from './json-codec';
import { METHODS } from './protocol';

export interface TransportFleetLinkOptions {
  readonly agentId: string;
  /** 'quic', 'tcp' or 'auto'; reported only. */
  readonly kind: string;
  /** A fresh @agentlink/transport instance; the link owns and closes it. */
  readonly transport: Transport;
  /** Dial deadline in ms. Default 2,000 (a dead QUIC peer answers nothing, so keep it short). */
  readonly connectTimeoutMs?: number;
  /** Request deadline in ms when the caller gives none. Default 10,000. */
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
  /** The link's own telemetry events: network round trips and handler times. */
  readonly #measures = new EventEmitter();
  #directory: ReadonlyMap<string, PeerEndpoint> = new Map();
  #closed = false;

  constructor(options: TransportFleetLinkOptions) {
    super();
    if (typeof options?.agentId !== 'string' || options.agentId.length === 0) throw new InvalidOptionsError('agentId is required');
    this.agentId = options.agentId;
    this.kind = options.kind;
    this.#transport = options.transport;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#transport.onConnection((connection) => this.#track(connection));
  }

  /** The transport's events plus the link's `roundTrip` (pings) and `requestHandled` (handlers). */
  get telemetrySource(): FleetLink['telemetrySource'] {
    const transport = this.#transport as unknown as FleetLink['telemetrySource'];
    const measures = this.#measures;
    const own = (event: string): boolean => event === 'roundTrip' || event === 'requestHandled';
    return {
      on: (event, listener) => (own(event) ? measures.on(event, listener as (payload: unknown) => void) : transport.on(event, listener)),
      off: (event, listener) => (own(event) ? measures.off(event, listener as (payload: unknown) => void) : transport.off(event, listener)),
    };
  }

  async listen(host: string, port: number, tcpPort?: number): Promise<PeerEndpoint> {
    // TLS over TCP alone listens where peers dial it: tcpPort (udpPort only when none is given).
    const tcpOnly = this.#transport.kind === 'tcp';
    const bound = await this.#transport.listen({ host, port: tcpOnly ? (tcpPort ?? port) : port, tcpPort });
    return { host: bound.host, port: bound.port, tcpPort: bound.tcpPort ?? (this.#transport.kind === 'tcp' ? bound.port : undefined) };
  }

  setDirectory(directory: ReadonlyMap<string, PeerEndpoint>): void {
    this.#directory = new Map(directory);
  }

  handle(method: string, handler: MessageHandler): void {
    this.#transport.handle(method, async (bytes, context) => {
      const startedAt = performance.now();
      let outcome: 'ok' | 'error' = 'error';
      try {
        const answer = await handler(decodeJson(method, bytes), { from: context.connection.peer.agentId, signal: context.signal });
        outcome = 'ok';
        return encodeJson(answer);
      } finally {
        this.#measures.emit('requestHandled', { method, handlerMs: performance.now() - startedAt, outcome });
      }
    });
  }

  async request<T>(peerId: string, method: string, body: unknown, options: LinkRequestOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#requestTimeoutMs;
    const startedAt = performance.now();
    const connection = await this.#connectionTo(peerId, Math.min(timeoutMs, this.#connectTimeoutMs), options.signal);
    const remaining = Math.max(1, timeoutMs - (performance.now() - startedAt));
    const sentAt = performance.now();
    const answer = await connection.request(method, encodeJson(body), { timeoutMs: remaining, signal: options.signal });
    // A ping's handler does no work: its round trip on an open connection is the network's latency.
    if (method === METHODS.ping) this.#measures.emit('roundTrip', { transport: connection.transport, peer: peerId, rttMs: performance.now() - sentAt });
    return decodeJson(method, answer) as T;
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
    this.#measures.removeAllListeners();
    this.removeAllListeners();
  }

  #connectionTo(peerId: string, timeoutMs: number, signal?: AbortSignal): Promise<Connection> {
    const open = this.#connections.get(peerId);
    if (open !== undefined && !open.closed) return Promise.resolve(open);
    const pending = this.#dialling.get(peerId);
    if (pending !== undefined) return pending;
    const endpoint = this.#directory.get(peerId);
    if (endpoint === undefined) return Promise.reject(new UnknownPeerError(peerId));
    const dial = this.#transport
      .dial({ host: endpoint.host, port: endpoint.port, tcpPort: endpoint.tcpPort, serverName: endpoint.serverName }, { timeoutMs, signal })
      .then((connection) => {
        this.#track(connection);
        return connection;
      })
      .finally(() => this.#dialling.delete(peerId));
    this.#dialling.set(peerId, dial);
    return dial;
  }

  #track(connection: Connection): void {
    const peerId = connection.peer.agentId;
    const previous = this.#connections.get(peerId);
    this.#connections.set(peerId, connection);
    if (previous === undefined || previous.closed) this.emit('peerUp', peerId);
    void connection.closedPromise.then((reason) => {
      if (this.#closed || this.#connections.get(peerId) !== connection) return;
      const other = [...this.#transport.connections].find((c) => c !== connection && !c.closed && c.peer.agentId === peerId);
      if (other !== undefined) {
        this.#connections.set(peerId, other);
        return;
      }
      this.#connections.delete(peerId);
      this.emit('peerDown', peerId, reason);
    });
  }
}
