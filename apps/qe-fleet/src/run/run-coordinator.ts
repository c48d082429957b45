import { EventEmitter } from 'node:events';
import { BreakerGroup, BreakerOpenError, InvalidOptionsError, type BreakerGroupOptions } from '@agentlink/resilience';
import type { Accounting } from '../ledger/task-ledger';
import { METHODS } from '../messaging/protocol';
import type { FleetLink } from '../messaging/fleet-link';
import type { CommandAdapterOptions } from './adapters/command-adapter';
import { rerunsAfter } from './rerun-policy';
import { RunClosedError } from './run-errors';
import type { RunBook, RunDispatch } from './run-book';
import { parseRunResult, RUN_METHODS, type RunResultMessage } from './run-protocol';
import type { FileExecution, FileTask } from './types';

export interface RunCoordinatorOptions {
  readonly link: FleetLink;
  readonly executors: readonly string[];
  readonly runId: string;
  readonly projectDir: string;
  /** The run's book, holding the file tasks (and, on resume, what was booked). */
  readonly book: RunBook;
  /** Reruns of a failing case, each on another executor when one is healthy. Default 2. */
  readonly maxReruns?: number;
  readonly command?: CommandAdapterOptions;
  /** Unanswered dispatches per executor. Default 4. */
  readonly window?: number;
  /** A dispatch unanswered this long is given up and re-dispatched, in ms. Default 15 minutes. */
  readonly leaseMs?: number;
  readonly heartbeatMs?: number;
  readonly breaker?: BreakerGroupOptions;
  /**
   * Makes a booking durable before it counts (the history store's ledger): the execution and
   * the reruns it calls for. Resolves false when the store had booked it already. A rejection
   * leaves the task unbooked; the executor retries its delivery.
   */
  readonly persist?: (task: FileTask, execution: FileExecution, reruns: readonly FileTask[]) => Promise<boolean>;
}

export interface RunCoordinatorEvents {
  /** A task's first result, booked (duplicates and phantoms are not emitted). */
  execution: [task: FileTask, execution: FileExecution];
}

export interface RunCoordinatorRecord {
  readonly accounting: Accounting;
  readonly redispatches: number;
  readonly durationMs: number;
}

const DEFAULT_BREAKER: BreakerGroupOptions = {
  volumeThreshold: 4,
  errorThresholdPercentage: 50,
  rollingWindowMs: 3_000,
  rollingBuckets: 6,
  resetTimeoutMs: 2_000,
};

/**
 * Runs a project's test files over the fleet: dispatches the longest recorded file first to an
 * executor whose breaker is closed, reruns failures on another executor, re-dispatches the work
 * of an executor that dies or whose lease expires, and books every task exactly once.
 */
export class RunCoordinator extends EventEmitter<RunCoordinatorEvents> {
  readonly breakers: BreakerGroup;
  readonly #o: RunCoordinatorOptions & { maxReruns: number; window: number; leaseMs: number; heartbeatMs: number };
  readonly #stop = new AbortController();
  readonly #startedAt = performance.now();
  #timers: NodeJS.Timeout[] = [];
  readonly #bookings = new Set<Promise<unknown>>();
  #finished: (() => void) | undefined;
  #redispatches = 0;

  constructor(options: RunCoordinatorOptions) {
    super();
    if (options.executors.length === 0) throw new InvalidOptionsError('a run needs at least one executor');
    this.#o = { maxReruns: 2, window: 4, leaseMs: 900_000, heartbeatMs: 500, ...options };
    this.breakers = new BreakerGroup({ ...DEFAULT_BREAKER, ...options.breaker });
    this.breakers.on('stateChange', ({ key, to }) => {
      if (to === 'open')
        for (const d of this.#o.book.live({ executor: key }))
          if (this.#o.book.abandon(d.dispatchId)) this.#redispatches += 1;
      setImmediate(() => this.#pump());
    });
    options.link.handle(METHODS.ping, () => ({
      agentId: options.link.agentId,
      role: 'coordinator',
      pending: this.#o.book.pending,
    }));
    options.link.handle(RUN_METHODS.result, (body) => {
      // Closed (finished or interrupted): book nothing more; the store then holds what was booked.
      if (this.#stop.signal.aborted) throw new RunClosedError(this.#o.runId);
      const booking = this.#onResult(parseRunResult(body));
      this.#bookings.add(booking);
      void booking.finally(() => this.#bookings.delete(booking)).catch(() => undefined);
      return booking;
    });
  }

  /** Resolves once every task (reruns included) is booked, or `signal` aborts. */
  run(signal?: AbortSignal): Promise<RunCoordinatorRecord> {
    return new Promise((resolve) => {
      const finish = (): void => {
        this.#finished = undefined;
        signal?.removeEventListener('abort', finish);
        this.#stopTimers();
        resolve(this.record());
      };
      this.#finished = finish;
      if (signal?.aborted === true) {
        finish();
        return;
      }
      signal?.addEventListener('abort', finish, { once: true });
      this.#timers.push(setInterval(() => this.#heartbeat(), this.#o.heartbeatMs));
      this.#timers.push(setInterval(() => this.#expireLeases(), Math.min(1_000, this.#o.leaseMs)));
      this.#pump();
      if (this.#o.book.done) finish();
    });
  }

  record(): RunCoordinatorRecord {
    return {
      accounting: this.#o.book.accounting(),
      redispatches: this.#redispatches,
      durationMs: performance.now() - this.#startedAt,
    };
  }

  /** Resolves once every booking under way has been written (or failed): wait for it before closing the store. */
  async settled(): Promise<void> {
    while (this.#bookings.size > 0) await Promise.allSettled([...this.#bookings]);
  }

  close(): void {
    this.#stop.abort();
    this.#stopTimers();
    this.#finished?.();
    this.breakers.close();
    this.removeAllListeners();
  }

  #stopTimers(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  #healthy(): string[] {
    return this.#o.executors.filter((e) => this.breakers.state(e) === 'closed');
  }

  #pump(): void {
    if (this.#stop.signal.aborted) return;
    const healthy = this.#healthy();
    let dispatched = true;
    while (dispatched) {
      dispatched = false;
      for (const executor of healthy) {
        if (this.#o.book.live({ executor }).length >= this.#o.window) continue;
        const dispatch = this.#o.book.dispatchNext(executor, healthy, performance.now());
        if (dispatch === undefined) continue;
        dispatched = true;
        void this.#assign(dispatch);
      }
    }
  }

  async #assign(dispatch: RunDispatch): Promise<void> {
    const task = this.#o.book.task(dispatch.taskId)!;
    const body = {
      dispatchId: dispatch.dispatchId,
      runId: this.#o.runId,
      projectDir: this.#o.projectDir,
      task,
      command: this.#o.command,
    };
    try {
      const answer = await this.breakers.execute(
        dispatch.executor,
        (signal) =>
          this.#o.link.request<{ accepted: boolean }>(dispatch.executor, RUN_METHODS.assign, body, {
            timeoutMs: 5_000,
            signal,
          }),
        this.#stop.signal,
      );
      if (answer?.accepted === true) this.#o.book.acknowledge(dispatch.dispatchId);
      else this.#o.book.abandon(dispatch.dispatchId, true);
    } catch (error) {
      if (this.#o.book.abandon(dispatch.dispatchId, error instanceof BreakerOpenError)) this.#redispatches += 1;
    }
    setImmediate(() => this.#pump());
  }

  async #onResult(result: RunResultMessage): Promise<{ booked: string }> {
    const { execution } = result;
    const task = this.#o.book.task(execution.taskId);
    const reruns = task === undefined ? [] : rerunsAfter(task, execution, this.#o.maxReruns);
    // Durable first: a coordinator killed after this line finds the booking (and its reruns) in the store.
    const fresh =
      this.#o.book.peek(result.dispatchId, execution.taskId) === 'completed' && this.#o.persist !== undefined
        ? await this.#o.persist(task!, execution, reruns)
        : true;
    const booking = this.#o.book.book(result.dispatchId, execution.taskId);
    if (booking === 'completed' && fresh) {
      for (const rerun of reruns) this.#o.book.add(rerun, execution.durationMs, [execution.executor]);
      this.emit('execution', task!, execution);
    }
    if (this.#o.book.done) this.#finished?.();
    else setImmediate(() => this.#pump());
    return { booked: booking };
  }

  #heartbeat(): void {
    for (const executor of this.#o.executors) {
      this.breakers
        .execute(
          executor,
          (signal) => this.#o.link.request(executor, METHODS.ping, {}, { timeoutMs: 1_500, signal }),
          this.#stop.signal,
        )
        .catch(() => undefined);
    }
  }

  #expireLeases(): void {
    for (const d of this.#o.book.live({ sentBefore: performance.now() - this.#o.leaseMs }))
      if (this.#o.book.abandon(d.dispatchId)) this.#redispatches += 1;
    this.#pump();
  }
}
