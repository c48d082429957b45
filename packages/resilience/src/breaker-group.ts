import { EventEmitter } from 'node:events';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker';
import { BreakerOpenError, InvalidOptionsError } from './errors';
import type { BreakerEvents, BreakerState } from './types';

export type BreakerGroupOptions = Omit<CircuitBreakerOptions, 'key' | 'rotateBucketController'>;

/**
 * One circuit breaker per key (per peer), created on first use. All breakers share one
 * bucket-rotation timer, and their events are re-emitted here with their key.
 */
export class BreakerGroup extends EventEmitter<BreakerEvents> {
  readonly #options: BreakerGroupOptions;
  readonly #breakers = new Map<string, CircuitBreaker>();
  readonly #rotation = new EventEmitter();
  readonly #timer: ReturnType<typeof setInterval>;
  #closed = false;

  constructor(options: BreakerGroupOptions = {}) {
    super();
    this.#options = options;
    // Validate once up front rather than on the first call for a peer.
    new CircuitBreaker(options).close();
    const windowMs = options.rollingWindowMs ?? 10_000;
    const buckets = options.rollingBuckets ?? 10;
    this.#rotation.setMaxListeners(0);
    this.#timer = setInterval(() => this.#rotation.emit('rotate'), Math.max(1, Math.floor(windowMs / buckets)));
    this.#timer.unref();
  }

  /** The breaker for `key`, created closed on first use. */
  get(key: string): CircuitBreaker {
    if (this.#closed) throw new BreakerOpenError(key);
    if (typeof key !== 'string' || key.length === 0)
      throw new InvalidOptionsError('breaker key must be a non-empty string');
    let breaker = this.#breakers.get(key);
    if (!breaker) {
      breaker = new CircuitBreaker({ ...this.#options, key, rotateBucketController: this.#rotation });
      breaker.on('stateChange', (e) => this.emit('stateChange', e));
      breaker.on('rejected', (e) => this.emit('rejected', e));
      breaker.on('success', (e) => this.emit('success', e));
      breaker.on('failure', (e) => this.emit('failure', e));
      this.#breakers.set(key, breaker);
      this.emit('created', { key });
    }
    return breaker;
  }

  /** Runs `fn` through the breaker of `key`. */
  execute<T>(key: string, fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return this.get(key).execute(fn, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** State of the breaker for `key`; 'closed' for a key never used. */
  state(key: string): BreakerState {
    return this.#breakers.get(key)?.state ?? 'closed';
  }

  /** Keys with a breaker. */
  keys(): string[] {
    return [...this.#breakers.keys()];
  }

  /** Drops the breaker of a peer that left the fleet, releasing its timers. */
  delete(key: string): boolean {
    const breaker = this.#breakers.get(key);
    breaker?.close();
    return this.#breakers.delete(key);
  }

  /** Closes every breaker and the shared timer. Later calls are rejected with BreakerOpenError. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const breaker of this.#breakers.values()) breaker.close();
    this.#breakers.clear();
    this.#rotation.removeAllListeners();
    this.removeAllListeners();
  }
}
