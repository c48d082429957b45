const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One timer for all request deadlines of a session, instead of a setTimeout/clearTimeout pair
 * per request. It is armed for the earliest deadline it was told about; when it fires, the
 * session expires what is due and says when the next pending deadline is.
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  /** `expire(now)` times out every request due by `now` and returns the next deadline (or Infinity). */
  constructor(private readonly expire: (now: number) => number) {}

  /** Makes sure the timer fires no later than `deadline` (a performance.now() timestamp). */
  schedule(deadline: number): void {
    if (deadline >= this.armedFor) return;
    this.arm(deadline);
  }

  /** Stops the timer (the session closed or has nothing pending). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private arm(deadline: number): void {
    clearTimeout(this.timer);
    this.armedFor = deadline;
    // setTimeout treats delays above 2^31-1 ms as 1 ms: a far deadline is re-checked instead.
    this.timer = setTimeout(this.fire, Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(deadline - performance.now()))));
    // Pending requests do not keep the process alive on their own (their socket does).
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const next = this.expire(performance.now());
    if (next !== Infinity) this.arm(next);
  };
}
