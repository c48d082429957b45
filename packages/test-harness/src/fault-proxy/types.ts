/** Faults that apply to one direction of traffic through a fault proxy. */
export interface DirectionFaults {
  /** Delay added to every packet/chunk in this direction, in ms. Default 0. */
  readonly latencyMs: number;
  /** Each delay is latencyMs + uniform(-jitterMs, +jitterMs), floored at 0, in ms. Never reorders. Default 0. */
  readonly jitterMs: number;
  /** Probability 0..1 of losing a datagram (UDP) or stalling a chunk like a TCP retransmission (TCP). Default 0. */
  readonly lossRate: number;
  /** UDP only: probability 0..1 of sending a datagram twice. Default 0. */
  readonly duplicateRate: number;
  /** UDP only: probability 0..1 of holding a datagram `reorderDelayMs` longer so later ones overtake it. Default 0. */
  readonly reorderRate: number;
  /** UDP only: extra hold of a reordered datagram, in ms. Default 10. */
  readonly reorderDelayMs: number;
  /** UDP only: probability 0..1 of flipping one random bit of a datagram. Default 0. */
  readonly corruptRate: number;
  /** Link rate in bytes per second; 0 means unlimited. Default 0. */
  readonly bandwidthBytesPerSec: number;
  /** Drop everything silently (UDP) or hold it until healed (TCP); connections stay open. Default false. */
  readonly blackhole: boolean;
}

/** The complete fault configuration of a proxy: base faults plus per-direction overrides. */
export interface Faults extends DirectionFaults {
  /** TCP only: reset every connection (RST) now and every new one while true. Default false. */
  readonly reset: boolean;
  /** Drop everything in both directions; TCP holds new connections until healed. Default false. */
  readonly partition: boolean;
  /** Overrides for client→target traffic. */
  readonly upstream: Partial<DirectionFaults>;
  /** Overrides for target→client traffic. */
  readonly downstream: Partial<DirectionFaults>;
}

/** A partial update for setFaults(): top-level fields replace, direction overrides merge. */
export type FaultsUpdate = Partial<Omit<Faults, 'upstream' | 'downstream'>> & {
  readonly upstream?: Partial<DirectionFaults>;
  readonly downstream?: Partial<DirectionFaults>;
};

/** Traffic direction: client→target is upstream, target→client is downstream. */
export type Direction = 'upstream' | 'downstream';

/** Counters of one direction. For TCP a "packet" is one chunk read from a socket. */
export interface DirectionStats {
  forwardedPackets: number;
  forwardedBytes: number;
  droppedPackets: number;
  droppedBytes: number;
  duplicatedPackets: number;
  corruptedPackets: number;
  reorderedPackets: number;
  /** TCP only: chunks stalled to model a loss and its retransmission. */
  stalledPackets: number;
}

/** Counters of a fault proxy since it started. */
export interface FaultProxyStats {
  readonly upstream: DirectionStats;
  readonly downstream: DirectionStats;
  /** UDP: client sessions alive now; TCP: connections open now. */
  readonly activeFlows: number;
  /** UDP: client sessions ever created; TCP: connections ever accepted. */
  readonly totalFlows: number;
}

/** A host and port. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Options shared by the UDP and TCP fault proxies. */
export interface FaultProxyOptions {
  /** Where the proxy listens. Default host 127.0.0.1, port 0 (any free port). */
  readonly listen?: { readonly host?: string; readonly port?: number };
  /** Where traffic goes. */
  readonly target: HostPort;
  /** Initial faults. Default: none. */
  readonly faults?: FaultsUpdate;
  /**
   * Seed of the PRNG that decides loss, jitter etc.; same seed and traffic give the same decisions.
   * Default random.
   */
  readonly seed?: number;
  /** Bytes queued per direction before UDP drops (tail drop) or TCP pauses reading. Default 4 MiB. */
  readonly queueLimitBytes?: number;
}

/** UDP proxy options. */
export interface UdpFaultProxyOptions extends FaultProxyOptions {
  /** A client session (and its upstream socket) is closed after this long without traffic, in ms. Default 60000. */
  readonly sessionIdleMs?: number;
}

/** TCP proxy options. */
export interface TcpFaultProxyOptions extends FaultProxyOptions {
  /** Minimum stall of a chunk hit by `lossRate`, in ms (Linux's minimum RTO). Default 200. */
  readonly lossStallMinMs?: number;
  /** Segment size used to turn `lossRate` per packet into a per-chunk probability, in bytes. Default 1460. */
  readonly segmentBytes?: number;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** The address clients should use instead of the target. */
  readonly address: HostPort;
  /** The current faults (a frozen copy). */
  readonly faults: Faults;
  /** A snapshot of the counters. */
  readonly stats: FaultProxyStats;
  /** Changes faults at run time; takes effect for the next packet. */
  setFaults(update: FaultsUpdate): void;
  /** Removes every fault (including direction overrides). */
  clearFaults(): void;
  /** Releases every socket, timer and map entry. Idempotent. */
  close(): Promise<void>;
}

/** A running UDP fault proxy: the faults above, plus one only datagrams can have. */
export interface UdpFaultProxy extends FaultProxy {
  /**
   * Drops the next datagram of `direction` longer than `minBytes` (default 0: any), once: a loss
   * placed exactly, e.g. a QUIC packet with data and not a ~50-byte ACK. A later call replaces one
   * still pending.
   */
  dropNext(direction: Direction, minBytes?: number): void;
  /** True while a dropNext() has not found its datagram yet. */
  readonly dropPending: boolean;
}
