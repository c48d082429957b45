import { EventEmitter } from 'node:events';
import OpossumBreaker from 'opossum';
import { classifyError } from './classify';
import { AbortedError, BreakerOpenError, InvalidOptionsError } from './errors';
import type { BreakerEvents, BreakerState, Policy } from './types';

export interface CircuitBreakerOptions {
  /** Name reported in events and errors, e.g. the peer id. */
  readonly key?: string;
  /** Failure percentage in the rolling window that opens the breaker. Default 50. */
  readonly errorThresholdPercentage?: number;
  /** Calls needed in the window before the breaker may open. Default 10 (opossum's 0 opens on one failure). */
  readonly volumeThreshold?: number;
  /** Time open before one trial call is let through (half-open), in ms. Default 10,000. */
  readonly resetTimeoutMs?: number;
  /** Length of the rolling statistics window, in ms. Default 10,000. */
  readonly rollingWindowMs?: number;
  /** Buckets the window is divided into. Default 10. */
  readonly rollingBuckets?: number;
  /**
   * Which errors count as failures. Default: the peer's failures per classifyError (temporary
   * infrastructure errors and refused certificates; not validation or programmer errors).
   */
  readonly isFailure?: (err: unknown) => boolean;
  /**
   * Emitter that rotates the statistics buckets; a BreakerGroup passes one shared emitter so
   * that a thousand per-peer breakers need one timer, not a thousand.
   */
  readonly rotateBucketController?: EventEmitter;
}

type Action = (fn: (signal: AbortSignal) => Promise<unknown>, signal: AbortSignal) => Promise<unknown>;

function validate(options: CircuitBreakerOptions): void {
  const check = (name: string, value: number | undefined, min: number, max = Infinity): void => {
    if (value !== undefined && (!Number.isFinite(value) || value < min || value > max)) {
      throw new InvalidOptionsError(`${name} must be a number in [${min}, ${max}], got ${value}`);
    }
  };
  check('errorThresholdPercentage', options.errorThresholdPercentage, 0, 100);
  check('volumeThreshold', options.volumeThreshold, 0);
  check('resetTimeoutMs', options.resetTimeoutMs, 1);
  check('rollingWindowMs', options.rollingWindowMs, 1);
  check('rollingBuckets', options.rollingBuckets, 1);
  if (options.volumeThreshold !== undefined && !Number.isInteger(options.volumeThreshold)) {
    throw new InvalidOptionsError(`volumeThreshold must be an integer, got ${options.volumeThreshold}`);
  }
}

/**
 * Closed / open / half-open circuit breaker on opossum. Only failures that `isFailure` accepts
 * (the peer's failures by default) count; other errors pass through without tripping it.
 * A call made while open is not run and rejects with BreakerOpenError.
 */
export class CircuitBreaker extends EventEmitter<BreakerEvents> implements Policy {
  readonly key: string | undefined;
  readonly #breaker: OpossumBreaker<Parameters<Action>, unknown>;
  #state: BreakerState = 'closed';

  constructor(options: CircuitBreakerOptions = {}) {
    super();
    validate(options);
    this.key = options.key;
    const isFailure = options.isFailure ?? ((err: unknown) => classifyError(err).peerFailure);
    const action: Action = (fn, signal) =>
      fn(signal).catch((error: unknown) => {
        if (signal.aborted || error instanceof AbortedError) this.#inconclusiveTrial();
        throw error;
      });
    this.#breaker = new OpossumBreaker<Parameters<Action>, unknown>(action, {
      timeout: false,
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      volumeThreshold: options.volumeThreshold ?? 10,
      resetTimeout: options.resetTimeoutMs ?? 10_000,
      rollingCountTimeout: options.rollingWindowMs ?? 10_000,
      rollingCountBuckets: options.rollingBuckets ?? 10,
      // opossum's filter marks errors that must NOT count; ours says which ones do.
      errorFilter: (err) => err instanceof AbortedError || !isFailure(err),
      enableSnapshots: false,
      rollingPercentilesEnabled: false,
      rotateBucketController: options.rotateBucketController,
    });
    this.#breaker.on('open', () => this.#transition('open'));
    this.#breaker.on('halfOpen', () => this.#transition('half-open'));
    this.#breaker.on('close', () => this.#transition('closed'));
    this.#breaker.on('reject', () => this.emit('rejected', { key: this.key }));
    this.#breaker.on('success', (_result: unknown, latencyMs: number) =>
      this.emit('success', { key: this.key, latencyMs }),
    );
    this.#breaker.on('failure', (error: unknown, latencyMs: number) =>
      this.emit('failure', { key: this.key, error, latencyMs }),
    );
  }

  /** Current state. */
  get state(): BreakerState {
    return this.#state;
  }

  /** Runs `fn` unless the breaker is open; the signal is passed through to `fn`. */
  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    try {
      return (await this.#breaker.fire(fn, signal ?? new AbortController().signal)) as T;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === 'EOPENBREAKER' || code === 'ESHUTDOWN') throw new BreakerOpenError(this.key, error);
      throw error;
    }
  }

  /** Opens the breaker by hand, e.g. when a peer announced it is going away. */
  open(): void {
    this.#breaker.open();
  }

  /** Stops all timers and listeners; later calls are rejected with BreakerOpenError. */
  close(): void {
    this.#breaker.shutdown();
    this.removeAllListeners();
  }

  /**
   * A call its caller aborted says nothing about the peer. opossum counts an uncounted error as a
   * success, and a success while half-open closes the breaker: an aborted trial would close the
   * breaker of a dead peer. Such a trial puts the breaker back to open instead, so the next trial
   * comes after the reset timeout.
   */
  #inconclusiveTrial(): void {
    if (this.#breaker.halfOpen) this.#breaker.open();
  }

  #transition(to: BreakerState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.emit('stateChange', { key: this.key, from, to });
  }
}
