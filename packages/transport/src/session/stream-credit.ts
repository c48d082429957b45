import { ConnectionClosedError } from '../errors';

/** Initial bytes a streamed request may send before the receiver grants more. */
export const INITIAL_STREAM_CREDIT = 1024 * 1024;

/** Sender-side credit of one streamed request: write() waits until the receiver granted room. */
export class StreamCredit {
  private available = INITIAL_STREAM_CREDIT;
  private waiter: { bytes: number; resolve: () => void; reject: (error: Error) => void } | undefined;

  grant(bytes: number): void {
    this.available += bytes;
    const waiter = this.waiter;
    if (waiter !== undefined && this.available >= waiter.bytes) {
      this.waiter = undefined;
      waiter.resolve();
    }
  }

  /** Resolves when `bytes` may be sent, and takes them. */
  async take(bytes: number): Promise<void> {
    // A chunk larger than the whole window is let through once the window is full again.
    const needed = Math.min(bytes, INITIAL_STREAM_CREDIT);
    if (this.available < needed) {
      await new Promise<void>((resolve, reject) => {
        this.waiter = { bytes: needed, resolve, reject };
      });
    }
    this.available -= bytes;
  }

  cancel(reason: string): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(new ConnectionClosedError(reason));
  }
}
