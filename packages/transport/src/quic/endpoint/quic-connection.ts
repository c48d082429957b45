import { AppCode, closeInfoOf, type QuicCloseInfo } from './close-info';
import { ConnectionTimers } from './connection-timers';
import { datagramBytesFor } from './datagram-size';
import type { ConnectionHandler, ConnectionOptions, DatagramSender } from './connection-types';
import type { QuicheConnection, QuicheHost } from './native';
import { ReadableStreams } from './readable-streams';
import { PROBE_PINGS, TailLossProbe } from './tail-loss-probe';

export type { ConnectionHandler, ConnectionOptions, DatagramSender } from './connection-types';

const IDLE: ConnectionHandler = {
  established: () => undefined,
  streamReadable: () => undefined,
  afterEvent: () => undefined,
  closed: () => undefined,
};

/**
 * One quiche connection: recv() each datagram, drain send() after every event, a timer from
 * timeout(), and closing/draining as RFC 9000 §10.2 says (state kept until quiche is closed).
 * Nothing thrown by quiche leaves this class: a failed recv() drops that datagram or, when quiche
 * says so (TLS refused the peer), closes this connection alone.
 */
export class QuicConnection {
  handler: ConnectionHandler = IDLE;
  /** For the endpoint's count of handshakes in progress. */
  onHandshakeDone: (() => void) | undefined;
  private readonly timers: ConnectionTimers;
  private readonly tailProbe: TailLossProbe;
  private readonly createdAt = performance.now();
  private isServing = false;
  private handshakeDone = false;
  private earlyDataReported = false;
  private closeReported = false;
  private lastClose: QuicCloseInfo | undefined;
  private finalized = false;
  private flushScheduled = false;
  /** Stream data or a FIN handed to quiche and not yet sent (tells the tail-loss probe of new data). */
  private streamDataQueued = false;
  private spare: Buffer | undefined;
  private readonly readable: ReadableStreams;
  /** The largest datagram quiche may build for this peer (its config says the same). */
  private readonly datagramBytes: number;
  private readonly recvInfo: { from: QuicheHost; to: QuicheHost };
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;

  constructor(
    readonly native: QuicheConnection,
    readonly role: 'client' | 'server',
    readonly remote: QuicheHost,
    local: QuicheHost,
    private readonly sendDatagram: DatagramSender,
    private readonly options: ConnectionOptions,
    private readonly onFinalized: (connection: QuicConnection) => void,
  ) {
    this.recvInfo = { from: remote, to: local };
    this.readable = new ReadableStreams(role);
    this.datagramBytes = datagramBytesFor(remote.host, options.pathDatagramBytes);
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
    this.timers = new ConnectionTimers(this.onQuicheTimeout, this.onStartTimeout, this.onKeepAlive);
    this.timers.startDeadline(options.startTimeoutMs);
    this.tailProbe = new TailLossProbe(this.sendProbe);
  }

  get established(): boolean {
    return this.handshakeDone;
  }

  get closed(): boolean {
    return this.closeReported;
  }

  /** Feeds one datagram to quiche; never throws. */
  receive(datagram: Buffer, host: string, port: number): void {
    if (this.finalized) return;
    if (port !== this.recvInfo.from.port || host !== this.recvInfo.from.host) {
      // Migration is off (disable_active_migration): a datagram from elsewhere is not ours.
      return;
    }
    if (this.handshakeDone) this.tailProbe.received();
    let failed = false;
    try {
      this.native.recv(datagram, this.recvInfo);
    } catch {
      // quiche drops a bad packet and carries on, unless it recorded a local error (TLS refused
      // the peer, a protocol violation): then this connection is closing, reported below.
      failed = true;
    }
    this.afterEvent(failed ? this.isClosing() : this.closedByPeer());
  }

  /** Streams are handed to the handler from now on (after our identity/policy check passed). */
  serve(): void {
    // Closed before the handler that now owns it was attached: tell that handler.
    if (this.lastClose !== undefined) {
      this.handler.closed(this.lastClose);
      return;
    }
    if (this.isServing || this.finalized) return;
    this.isServing = true;
    this.processStreams();
    this.scheduleFlush();
  }

  /** Closes with an application code (ours) or a transport code; idempotent. */
  close(isApp: boolean, errorCode: number, reason: string): void {
    if (this.finalized) return;
    // What is queued goes first: once closing, quiche sends only CONNECTION_CLOSE, and a client
    // that closes right after a 0-RTT/eager answer would leave its Finished unsent (the server
    // could then not read the close and would keep the connection until its handshake deadline).
    if (this.flushScheduled && !this.closeReported) this.flush();
    try {
      this.native.close(isApp, errorCode, Buffer.from(reason));
    } catch {
      // Already closing: quiche keeps the first error.
    }
    this.reportClose();
    this.flush();
  }

  /** Drops all state now, without waiting for the draining period (endpoint shutdown, bad first packet). */
  discard(): void {
    if (this.finalized) return;
    this.reportClose();
    this.finalize();
  }

  /** The stream writer handed quiche data or a FIN: the next drain that sends carries new data. */
  queuedStreamData(): void {
    this.streamDataQueued = true;
  }

  /** Drains quiche's send() now (use after local writes when not coalescing) or later in this turn. */
  scheduleFlush(): void {
    if (!this.options.coalesceSends) {
      this.flush();
      return;
    }
    if (this.flushScheduled || this.finalized) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  /** Sends every datagram quiche has ready, then re-arms the timer. */
  readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.finalized) return;
    if (!this.closeReported) this.handler.beforeFlush?.();
    let sentAny = false;
    let failed = false;
    for (;;) {
      const buffer = this.spare ?? Buffer.allocUnsafe(this.datagramBytes);
      this.spare = undefined;
      let sent: ReturnType<QuicheConnection['send']>;
      try {
        sent = this.native.send(buffer);
      } catch {
        sent = null; // quiche records a local error when send() fails; handled below
        failed = true;
      }
      if (sent === null) {
        this.spare = buffer;
        break;
      }
      // One buffer for every datagram, unless the socket still holds it (kernel buffer full).
      if (this.sendDatagram(buffer.subarray(0, sent[0]), sent[1].to)) this.spare = buffer;
      sentAny = true;
    }
    const timeout = this.native.timeout();
    // quiche closes on a local error (close(), a failed recv() or send()) and on a stateless
    // reset; a closed connection has no timer, so a healthy one is not asked.
    if ((this.closeReported || failed || timeout === null) && this.native.isClosed()) {
      this.reportClose();
      this.finalize();
      return;
    }
    this.timers.arm(timeout);
    // Before the handshake the probe has no idle timeout to tell "in flight" by; once closing it is stopped.
    if (this.handshakeDone) this.tailProbe.update(timeout, sentAny, this.streamDataQueued);
    if (sentAny) this.streamDataQueued = false;
  };

  /** `closing`: quiche is closing or draining (handlers that close it report that themselves). */
  private afterEvent(closing: boolean): void {
    if (!this.handshakeDone && !this.earlyDataReported && this.role === 'server' && this.native.isInEarlyData()) {
      // Reported to the first handler that asks (the first datagram is read before one is set).
      if (this.handler.earlyData !== undefined) this.earlyDataReported = true;
      if (!closing) this.handler.earlyData?.();
    }
    if (!this.handshakeDone && this.native.isEstablished() && !closing && !this.closeReported) {
      this.handshakeDone = true;
      this.timers.established(this.options.keepAliveIntervalMs);
      this.startTailProbe();
      this.onHandshakeDone?.();
      this.handler.established();
    }
    if (closing) this.reportClose();
    else if (!this.closeReported) {
      if (this.isServing) this.processStreams();
      this.handler.afterEvent();
    }
    this.scheduleFlush();
  }

  private processStreams(): void {
    this.readable.visit(this.native, this.handler.openStreams, this.deliverStream, this.isCloseReported);
  }

  private readonly deliverStream = (streamId: number): void => this.handler.streamReadable(streamId);
  private readonly isCloseReported = (): boolean => this.closeReported;

  private isClosing(): boolean {
    return this.native.localError() !== null || this.native.peerError() !== null || this.native.isClosed();
  }

  /**
   * isClosing() after a datagram quiche accepted, in one napi call instead of three: a local error
   * makes recv() throw and a peer's CONNECTION_CLOSE starts draining (a stateless reset, which
   * closes at once, is found by the drain that follows: flush()).
   */
  private closedByPeer(): boolean {
    return this.native.isDraining();
  }

  private reportClose(): void {
    if (this.closeReported) return;
    this.closeReported = true;
    this.tailProbe.stop();
    this.lastClose = closeInfoOf(this.native);
    this.handler.closed(this.lastClose);
  }

  private finalize(): void {
    if (this.finalized) return;
    this.finalized = true;
    this.timers.stop();
    this.tailProbe.stop();
    this.handler = IDLE;
    this.onFinalized(this);
    this.resolveFinished();
  }

  private readonly onQuicheTimeout = (): void => {
    if (this.finalized) return;
    this.native.onTimeout();
    if (this.isClosing()) this.reportClose();
    this.flush();
  };

  /** From the handshake on: its duration seeds the probe's RTT; the idle timeout tells "in flight" apart. */
  private startTailProbe(): void {
    if (this.options.tailLossProbe === false) return this.tailProbe.stop();
    const stats = this.native.stats();
    const peerIdle = stats.peerMaxIdleTimeout > 0 ? stats.peerMaxIdleTimeout : Number.POSITIVE_INFINITY;
    const idle = Math.min(this.options.idleTimeoutMs ?? Number.POSITIVE_INFINITY, peerIdle);
    this.tailProbe.start(performance.now() - this.createdAt, stats.peerMaxAckDelay, idle);
  }

  /** PINGs, each in a packet of its own, so the peer's ACKs reveal a missing packet (tail-loss-probe.ts). */
  private readonly sendProbe = (): void => {
    for (let i = 0; i < PROBE_PINGS; i++) {
      this.native.sendAckEliciting();
      this.flush();
    }
  };

  private readonly onStartTimeout = (): void => {
    if (this.handshakeDone || this.finalized) return;
    // Nobody waits for a half-open handshake: close and free it without a draining period.
    this.close(true, AppCode.Shutdown, 'handshake not finished in time');
    this.discard();
  };

  private readonly onKeepAlive = (): void => {
    if (this.finalized || this.closeReported) return;
    this.native.sendAckEliciting();
    this.flush();
  };
}

