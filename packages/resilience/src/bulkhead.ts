import { AbortedError, BulkheadRejectedError, InvalidOptionsError } from './errors';
import type { Policy } from './types';

export interface BulkheadOptions {
  /** Calls allowed to run at once. */
  readonly maxConcurrent: number;
  /** Calls allowed to wait for a slot; more are rejected at once. Default 0. */
  readonly maxQueue?: number;
}

interface Waiter {
  readonly grant: () => void;
  readonly cancel: (reason: unknown) => void;
}

/** Limits concurrency with a bounded FIFO queue; calls beyond both get BulkheadRejectedError. */
export class Bulkhead implements Policy {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  #running = 0;
  readonly #queue: Waiter[] = [];

  constructor(options: BulkheadOptions) {
    const { maxConcurrent, maxQueue = 0 } = options;
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
      throw new InvalidOptionsError(`maxConcurrent must be an integer >= 1, got ${maxConcurrent}`);
    }
    if (!Number.isInteger(maxQueue) || maxQueue < 0) {
      throw new InvalidOptionsError(`maxQueue must be an integer >= 0, got ${maxQueue}`);
    }
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
  }

  /** Calls running now. */
  get running(): number {
    return this.#running;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    if (this.#running >= this.maxConcurrent) await this.#waitForSlot(signal);
    else this.#running++;
    try {
      return await fn(signal ?? new AbortController().signal);
    } finally {
      this.#release();
    }
  }

  #waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    if (this.#queue.length >= this.maxQueue) {
      return Promise.reject(new BulkheadRejectedError(this.maxConcurrent, this.maxQueue));
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => waiter.cancel(signal!.reason);
      const waiter: Waiter = {
        // The slot is handed over directly, so `running` is not decremented and re-incremented.
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        cancel: (reason) => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          reject(new AbortedError(reason));
        },
      };
      this.#queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next) next.grant();
    else this.#running--;
  }
}
