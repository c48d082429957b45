/**
 * What the agents need from the network, and nothing more: named JSON requests to peers by
 * agent id, handlers, and news of peers coming and going. The one implementation runs on
 * @agentlink/transport (TransportFleetLink); the agents never see the transport's shape.
 */

/** Who sent a message (the agent id from its verified certificate) and when to give up. */
export interface MessageContext {
  readonly from: string;
  readonly signal: AbortSignal;
}

export type MessageHandler = (body: unknown, context: MessageContext) => unknown;

export interface LinkRequestOptions {
  /** Deadline of the exchange once connected, in ms; a dial has its own budget (the link's connectTimeoutMs). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Where a peer listens. `tcpPort` is used by the TCP transport and the fallback. */
export interface PeerEndpoint {
  readonly host: string;
  readonly port: number;
  readonly tcpPort?: number;
  /** Name checked against the peer certificate's SANs. Default: host. */
  readonly serverName?: string;
}

export interface LinkEvents {
  peerUp: [peerId: string];
  peerDown: [peerId: string, reason: string];
}

export interface FleetLink {
  /** This agent's id (the identity its certificate carries). */
  readonly agentId: string;
  /** 'quic', 'tcp' or 'auto' (QUIC with TCP fallback). */
  readonly kind: string;
  /** Starts listening; resolves with the bound address. */
  listen(host: string, port: number, tcpPort?: number): Promise<PeerEndpoint>;
  /** Sets (replaces) how to reach each peer. */
  setDirectory(directory: ReadonlyMap<string, PeerEndpoint>): void;
  handle(method: string, handler: MessageHandler): void;
  /** Sends a JSON request to a peer (dialling if needed) and resolves with its JSON answer. */
  request<T>(peerId: string, method: string, body: unknown, options?: LinkRequestOptions): Promise<T>;
  on<K extends keyof LinkEvents>(event: K, listener: (...args: LinkEvents[K]) => void): this;
  off<K extends keyof LinkEvents>(event: K, listener: (...args: LinkEvents[K]) => void): this;
  /** The event source telemetry instruments (the transport's events). */
  readonly telemetrySource: {
    on(event: string, listener: (payload: never) => void): unknown;
    off(event: string, listener: (payload: never) => void): unknown;
  };
  close(): Promise<void>;
}
