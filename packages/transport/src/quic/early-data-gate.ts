import { ConnectionClosedError } from '../errors';
import { FrameType, MethodNameReader, type Frame } from '../frame/frame-codec';
import type { QuicConnection } from './endpoint/quic-connection';

/** What a link in 0-RTT needs to know (README "0-RTT and replay"). */
export interface EarlyDataPolicy {
  /** Methods that may be sent (dialer) or run (listener) before the handshake completes. */
  readonly idempotentMethods: ReadonlySet<string>;
  /** Runs when the handshake completes, before anything held goes on; throws to refuse the peer. */
  readonly verify?: () => void;
}

/** Whether a dialer's early data went out and was taken: 'none' when nothing was sent as early data. */
export type EarlyDataStatus = 'none' | 'pending' | 'accepted' | 'rejected';

interface HeldFrame {
  readonly streamId: number;
  readonly frame: Frame;
}

const opensExchange = (type: FrameType): boolean => type === FrameType.Request || type === FrameType.OneWay;

/**
 * Holds back what must not travel or run as 0-RTT early data until the handshake completes:
 * a dialer's requests of methods not declared idempotent, and on a listener every frame of an
 * exchange whose method is not declared idempotent (a replayed first flight never completes a
 * handshake, so those never run for it). Idempotent requests pass at once.
 */
export class EarlyDataGate {
  private open = false;
  private sentEarly = 0;
  private readonly names = new MethodNameReader();
  private readonly heldIn: HeldFrame[] = [];
  private readonly heldStreams = new Set<number>();
  private readonly waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(
    private readonly connection: QuicConnection,
    private readonly policy: EarlyDataPolicy,
  ) {}

  /** Dialer: whether this frame must wait for the handshake; counts the requests sent early. */
  holdsOutgoing(type: FrameType, payload: Uint8Array, prefix: Uint8Array | undefined): boolean {
    if (this.open || !opensExchange(type)) return false;
    if (!this.policy.idempotentMethods.has(this.names.read(prefix ?? payload))) return true;
    if (this.connection.native.isInEarlyData()) this.sentEarly += 1;
    return false;
  }

  /** Resolves once the handshake completed (and verify passed); rejects when the connection ends first. */
  handshakeDone(): Promise<void> {
    if (this.open) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Listener: keeps a frame that must not run before the handshake; true when it was kept. */
  holdsIncoming(streamId: number, frame: Frame): boolean {
    if (this.open) return false;
    if (!this.heldStreams.has(streamId)) {
      if (!opensExchange(frame.type)) return false;
      if (this.policy.idempotentMethods.has(this.names.read(frame.payload))) return false;
      this.heldStreams.add(streamId);
    }
    // The decoder's payload may be a view into a shared read buffer: keep a copy.
    this.heldIn.push({ streamId, frame: { ...frame, payload: Uint8Array.prototype.slice.call(frame.payload) } });
    return true;
  }

  /** The peer reset a stream before the handshake: what it held is dropped, never run. */
  forget(streamId: number): boolean {
    if (!this.heldStreams.delete(streamId)) return false;
    for (let i = this.heldIn.length - 1; i >= 0; i -= 1) {
      if (this.heldIn[i]!.streamId === streamId) this.heldIn.splice(i, 1);
    }
    return true;
  }

  /** Handshake complete: verify the peer, then release what was held (in arrival order). */
  established(deliver: (frame: Frame) => void): void {
    if (this.open) return;
    this.policy.verify?.();
    this.open = true;
    this.heldStreams.clear();
    for (const { frame } of this.heldIn.splice(0)) deliver(frame);
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  /** The connection ended: held frames never run, held sends fail. */
  closed(error: Error = new ConnectionClosedError('closed before the handshake completed')): void {
    this.heldIn.length = 0;
    this.heldStreams.clear();
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /**
   * Dialer: 'accepted' once the handshake resumed the session and no stream data had to be sent
   * again (quiche resends early data the server refused; it does not say which loss that was,
   * so a loss in the first flight also reads as 'rejected').
   */
  status(): EarlyDataStatus {
    if (this.sentEarly === 0) return 'none';
    if (!this.open) return 'pending';
    const native = this.connection.native;
    return native.isResumed() && native.stats().streamRetransBytes === 0 ? 'accepted' : 'rejected';
  }
}
