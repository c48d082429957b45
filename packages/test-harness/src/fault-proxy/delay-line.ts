/** Options of a DelayLine. */
export interface DelayLineOptions {
  /** Hands a due chunk on; returning false means the sink is full until resumeSink() is called. */
  readonly deliver: (chunk: Buffer) => boolean | void;
  /** Bytes that may wait in the line. */
  readonly queueLimitBytes: number;
  /** 'drop': push() refuses chunks beyond the limit (a router's tail drop); 'pressure': accept and call onPressure. */
  readonly overflow: 'drop' | 'pressure';
  /** Called with true when the line is over its limit and false when it has drained below half. */
  readonly onPressure?: (overLimit: boolean) => void;
}

/** How one chunk travels through the line. */
export interface Schedule {
  /** Propagation delay after the chunk has been "sent" on the link, in ms. */
  readonly delayMs: number;
  /** Link rate in bytes/s; 0 = unlimited. */
  readonly bandwidthBytesPerSec: number;
  /** When true the chunk may be overtaken (reordering); otherwise it never overtakes nor is overtaken. */
  readonly outOfOrder?: boolean;
}

interface Entry {
  readonly chunk: Buffer;
  readonly deliverAt: number;
}

/**
 * One direction of a simulated link: serialisation at a bandwidth, then a propagation delay,
 * first-in first-out unless a chunk is explicitly sent out of order. One timer, re-armed to the
 * earliest due chunk; delivery never happens before a chunk's due time (checked against
 * performance.now(), because timers may fire up to a millisecond early).
 */
export class DelayLine {
  private queue: Entry[] = [];
  private bytes = 0;
  private linkFreeAt = 0;
  private lastInOrderAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private held = false;
  private sinkBlocked = false;
  private overLimit = false;
  private closed = false;
  private emptyWaiters: (() => void)[] = [];

  constructor(private readonly options: DelayLineOptions) {}

  /** Bytes waiting in the line. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** True when nothing is waiting. */
  get isEmpty(): boolean {
    return this.queue.length === 0;
  }

  /** Queues a chunk; returns false if it was dropped because the line is full ('drop' mode). */
  push(chunk: Buffer, schedule: Schedule): boolean {
    if (this.closed) return false;
    if (this.options.overflow === 'drop' && this.bytes + chunk.length > this.options.queueLimitBytes) return false;
    const now = performance.now();
    let sentAt = now;
    if (schedule.bandwidthBytesPerSec > 0) {
      const start = Math.max(now, this.linkFreeAt);
      this.linkFreeAt = start + (chunk.length * 1000) / schedule.bandwidthBytesPerSec;
      sentAt = this.linkFreeAt;
    }
    let deliverAt = sentAt + schedule.delayMs;
    if (!schedule.outOfOrder) {
      deliverAt = Math.max(deliverAt, this.lastInOrderAt);
      this.lastInOrderAt = deliverAt;
    }
    if (deliverAt <= now && this.queue.length === 0 && !this.held && !this.sinkBlocked) {
      this.handOn(chunk);
      return true;
    }
    this.insert({ chunk, deliverAt });
    this.bytes += chunk.length;
    if (!this.overLimit && this.bytes > this.options.queueLimitBytes) {
      this.overLimit = true;
      this.options.onPressure?.(true);
    }
    this.arm();
    return true;
  }

  /** While held nothing is delivered (a TCP blackhole); releasing delivers everything due. */
  setHeld(held: boolean): void {
    this.held = held;
    if (!held) this.flush();
  }

  /** The sink has drained: continue delivering. */
  resumeSink(): void {
    this.sinkBlocked = false;
    this.flush();
  }

  /** Calls fn once the line is next empty (at once if it is empty now). */
  onEmptyOnce(fn: () => void): void {
    if (this.queue.length === 0) fn();
    else this.emptyWaiters.push(fn);
  }

  /** Drops everything and stops the timer. */
  close(): void {
    this.closed = true;
    this.emptyWaiters = [];
    this.queue = [];
    this.bytes = 0;
    this.disarm();
  }

  private insert(entry: Entry): void {
    // Most chunks are in order and go to the end; only reordered ones need a search.
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].deliverAt > entry.deliverAt) i--;
    this.queue.splice(i, 0, entry);
  }

  private handOn(chunk: Buffer): void {
    if (this.options.deliver(chunk) === false) this.sinkBlocked = true;
  }

  private flush(): void {
    if (this.closed) return;
    this.disarm();
    const now = performance.now();
    let delivered = 0;
    while (delivered < this.queue.length && !this.held && !this.sinkBlocked && !this.closed) {
      const entry = this.queue[delivered];
      if (entry.deliverAt > now) break;
      delivered++;
      this.bytes -= entry.chunk.length;
      this.handOn(entry.chunk);
    }
    if (this.closed) return;
    if (delivered > 0) this.queue.splice(0, delivered);
    if (this.overLimit && this.bytes <= this.options.queueLimitBytes / 2) {
      this.overLimit = false;
      this.options.onPressure?.(false);
    }
    if (this.queue.length === 0) {
      const waiters = this.emptyWaiters;
      this.emptyWaiters = [];
      for (const fn of waiters) fn();
      return;
    }
    this.arm();
  }

  private arm(): void {
    if (this.held || this.sinkBlocked || this.queue.length === 0) return;
    const at = this.queue[0].deliverAt;
    if (this.timer !== undefined && this.timerAt <= at) return;
    this.disarm();
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.flush();
      },
      Math.max(0, Math.ceil(at - performance.now())),
    );
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}
