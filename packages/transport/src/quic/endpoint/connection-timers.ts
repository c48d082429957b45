/**
 * The timers of one connection: quiche's loss-recovery/idle deadline (from timeout()), a start
 * deadline for the handshake, and the keep-alive. All are cleared by stop().
 */
export class ConnectionTimers {
  private quicheTimer: NodeJS.Timeout | undefined;
  private quicheDeadline = 0;
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
      this.quicheTimer = undefined;
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
    clearTimeout(this.startTimer);
    clearInterval(this.keepAlive);
    this.quicheTimer = this.startTimer = this.keepAlive = undefined;
  }

  private readonly fireQuiche = (): void => {
    this.quicheTimer = undefined;
    this.onQuicheTimeout();
  };
}
