import { ConnectionClosedError } from '../errors';

/** Counting semaphore for locally opened QUIC streams, so calls queue instead of hitting the peer's limit. */
export class StreamSlots {
  private used = 0;
  private readonly waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private closedReason: string | undefined;

  constructor(private readonly limit: number) {}

  async acquire(): Promise<void> {
    if (this.closedReason !== undefined) throw new ConnectionClosedError(this.closedReason);
    if (this.used < this.limit) {
      this.used += 1;
      return;
    }
    await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next !== undefined) next.resolve(); // the slot passes straight to the next waiter
    else this.used = Math.max(0, this.used - 1);
  }

  close(reason: string): void {
    this.closedReason = reason;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new ConnectionClosedError(reason));
  }
}
