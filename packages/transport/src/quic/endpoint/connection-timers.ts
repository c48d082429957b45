/**
 * The timers of one connection: quiche's loss-recovery/idle deadline (from timeout()), a start
 * deadline for the handshake, and the keep-alive. All are cleared by stop().
 */
export class ConnectionTimers {
  private quicheTimer: NodeJS.Timeout | undefined;
  private quicheDeadline = 0;
  /** A fired quiche timer, waiting for the datagrams already in the socket (see fireQuiche). */
  private quicheDue: NodeJS.Immediate | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(
    private readonly onQuicheTimeout: () => void,
    private readonly onStartTimeout: () => void,
    private readonly onKeepAlive: () => void,
  ) {}

  /** Arms the quiche timer for `ms` from now (null: quiche needs no timer). */
  arm(ms: number | null): void {
    if (ms === null) {
      clearTimeout(this.quicheTimer);
      clearImmediate(this.quicheDue);
      this.quicheTimer = this.quicheDue = undefined;
      return;
    }
    const deadline = performance.now() + ms;
    // Re-arming after every drain is the hot path, and each send pushes the loss-detection
    // deadline later: keep a timer that fires before (or within 1 ms after) the new deadline.
    // Firing early costs one no-op onTimeout() (quiche checks its own clock) and a re-arm, once
    // per probe timeout at most, instead of a clearTimeout/setTimeout pair per drain.
    if (this.quicheTimer !== undefined && this.quicheDeadline < deadline + 1) return;
    clearTimeout(this.quicheTimer);
    this.quicheDeadline = deadline;
    this.quicheTimer = setTimeout(this.fireQuiche, ms);
  }

  startDeadline(ms: number): void {
    this.startTimer = setTimeout(this.onStartTimeout, ms);
  }

  established(keepAliveMs: number): void {
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
    if (keepAliveMs > 0 && this.keepAlive === undefined) this.keepAlive = setInterval(this.onKeepAlive, keepAliveMs);
  }

  stop(): void {
    clearTimeout(this.quicheTimer);
    clearImmediate(this.quicheDue);
    clearTimeout(this.startTimer);
    clearInterval(this.keepAlive);
    this.quicheTimer = this.quicheDue = this.startTimer = this.keepAlive = undefined;
  }

  /**
   * After a stall of this process in I/O or setImmediate, the loop's next turn runs expired timers
   * before it reads its sockets: quiche would see its loss timer expire before the ACKs that came
   * meanwhile, and act on it (a probe timeout sends probe packets). onTimeout() waits for the
   * check phase, after that read; quiche checks its own clock, so a timeout the ACKs made moot does
   * nothing.
   */
  private readonly fireQuiche = (): void => {
    this.quicheTimer = undefined;
    if (this.quicheDue === undefined) this.quicheDue = setImmediate(this.quicheTimedOut);
  };

  private readonly quicheTimedOut = (): void => {
    this.quicheDue = undefined;
    this.onQuicheTimeout();
  };
}
