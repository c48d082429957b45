import type { QuicCloseInfo } from './close-info';
import type { QuicheHost } from './native';

/** What the owner of a connection (the transport, then the frame link) is told. */
export interface ConnectionHandler {
  /** The TLS handshake completed: BoringSSL verified the peer's chain; apply our policy now. */
  established(): void;
  /**
   * Listener only, at most once: the client resumed a session and its early data (0-RTT) is
   * accepted, before the handshake completes. The peer's chain is the resumed session's.
   */
  earlyData?(): void;
  /** A stream has data, a FIN or a reset to read (only once serve() was called). */
  streamReadable(streamId: number): void;
  /** After every event: writes waiting for flow control or stream credit may go on. */
  afterEvent(): void;
  /** Before the datagrams of this turn go out (once per turn when coalescing): per-turn checks. */
  beforeFlush?(): void;
  /** The streams the handler is reading, by id (probed for data before asking quiche for a list). */
  readonly openStreams?: ReadonlyMap<number, unknown>;
  /** The connection is closing (once): by us, by the peer, by TLS or by the idle timeout. */
  closed(info: QuicCloseInfo): void;
}

/** Sends one datagram; the endpoint owns the socket. True when the buffer may be reused at once. */
export type DatagramSender = (datagram: Buffer, to: QuicheHost) => boolean;

export interface ConnectionOptions {
  /** One send() drain per event-loop turn for all events of that turn (an answer rides with its ACK). */
  readonly coalesceSends: boolean;
  readonly keepAliveIntervalMs: number;
  /** A handshake not finished by then is dropped. */
  readonly startTimeoutMs: number;
  /** Our max_idle_timeout (ms): quiche's timer beyond it is the idle one, so nothing is in flight. */
  readonly idleTimeoutMs?: number;
  /** Probe with PINGs when data stays unacknowledged for a PTO by our own RTT (tail-loss-probe.ts). */
  readonly tailLossProbe?: boolean;
  /** Largest UDP payload to a peer on another host (its quiche config says the same). Default 1,350. */
  readonly pathDatagramBytes?: number;
}
