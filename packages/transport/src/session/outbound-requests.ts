import { RequestAbortedError, RequestTimeoutError } from '../errors';
import type { TransportEventEmitter } from '../events';
import type { RequestOptions, TransportKind } from '../types';
import { DeadlineTimer } from './deadline-timer';
import type { FrameLink } from './frame-link';
import type { StreamCredit } from './stream-credit';

interface PendingRequest {
  readonly method: string;
  readonly startedAt: number;
  /** performance.now() timestamp after which the request times out. */
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly resolve: (body: Uint8Array) => void;
  readonly reject: (error: Error) => void;
  /** Detaches the caller's abort signal, if any. */
  readonly cleanup: (() => void) | undefined;
  credit?: StreamCredit;
}

export interface OutboundRequestsOptions {
  readonly link: FrameLink;
  readonly events: TransportEventEmitter;
  readonly transport: TransportKind;
  readonly peerId: string;
  readonly defaultTimeoutMs: number;
  /** False once the session is closed: the peer can no longer be told to stop. */
  readonly isOpen: () => boolean;
  /** Called after each request settled (the session checks whether it has drained). */
  readonly onSettled: () => void;
}

/**
 * The requests this side started and still waits for: their deadlines (one shared timer),
 * abort signals and stream credit, each settled exactly once.
 */
export class OutboundRequests {
  private readonly pending = new Map<number, PendingRequest>();
  private readonly deadlines = new DeadlineTimer((now) => this.expire(now));

  constructor(private readonly options: OutboundRequestsOptions) {}

  get size(): number {
    return this.pending.size;
  }

  has(id: number): boolean {
    return this.pending.has(id);
  }

  /** The method of a pending request, or undefined for an unknown or settled id. */
  methodOf(id: number): string | undefined {
    return this.pending.get(id)?.method;
  }

  /** The credit a streamed request waits on before sending more chunks. */
  attachCredit(id: number, credit: StreamCredit): void {
    const pending = this.pending.get(id);
    if (pending !== undefined) pending.credit = credit;
  }

  grantCredit(id: number, bytes: number): void {
    this.pending.get(id)?.credit?.grant(bytes);
  }

  /** Registers request `id` and returns the promise its answer (or failure) settles. */
  track(id: number, method: string, options: RequestOptions | undefined): Promise<Uint8Array> {
    const timeoutMs = options?.timeoutMs ?? this.options.defaultTimeoutMs;
    const signal = options?.signal;
    return new Promise<Uint8Array>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new RequestAbortedError(method));
        return;
      }
      let cleanup: (() => void) | undefined;
      if (signal !== undefined) {
        const onAbort = (): void => this.settle(id, 'error', new RequestAbortedError(method), true);
        signal.addEventListener('abort', onAbort, { once: true });
        cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      const startedAt = performance.now();
      const deadline = startedAt + timeoutMs;
      this.pending.set(id, { method, startedAt, deadline, timeoutMs, resolve, reject, cleanup });
      this.deadlines.schedule(deadline);
    });
  }

  /** Completes a request exactly once; later calls for the same id do nothing. */
  settle(id: number, outcome: 'ok' | 'error' | 'timeout', result: Error | Uint8Array, cancelRemote: boolean): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    pending.cleanup?.();
    pending.credit?.cancel('request finished');
    const { link, events } = this.options;
    if (cancelRemote && this.options.isOpen()) link.reset(id);
    else link.finish(id);
    if (events.has('requestCompleted')) {
      events.emit('requestCompleted', {
        transport: this.options.transport,
        peer: this.options.peerId,
        method: pending.method,
        latencyMs: performance.now() - pending.startedAt,
        outcome,
      });
    }
    if (result instanceof Error) pending.reject(result);
    else pending.resolve(result);
    this.options.onSettled();
  }

  /** Fails every pending request with `error` and stops the deadline timer (session closed). */
  failAll(error: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id, 'error', error, false);
    this.deadlines.stop();
  }

  /** Times out every request due by `now`; returns the earliest deadline still pending. */
  private expire(now: number): number {
    let next = Infinity;
    for (const [id, pending] of this.pending) {
      if (pending.deadline <= now) {
        this.settle(id, 'timeout', new RequestTimeoutError(pending.method, pending.timeoutMs), true);
      } else if (pending.deadline < next) {
        next = pending.deadline;
      }
    }
    return next;
  }
}
