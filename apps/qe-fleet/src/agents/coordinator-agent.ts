import { EventEmitter } from 'node:events';
import { BreakerGroup, BreakerOpenError, InvalidOptionsError, type BreakerGroupOptions } from '@agentlink/resilience';
import { TaskLedger, type DispatchRecord } from '../ledger/task-ledger';
import type { FleetLink } from '../messaging/fleet-link';
import { METHODS, parseResult, type AssignAnswer, type ResultMessage, type TaskSpec } from '../messaging/protocol';
import { RoundTripEstimator } from '../messaging/round-trip-estimator';
import { LatencyHistogram } from '../report/latency-histogram';
import { PeerRefusals, refusalOf, type PeerRefusal } from './peer-refusals';
import type { BreakerTransition, RunRecord, TaskResultRecord } from './run-record';

export interface CoordinatorAgentOptions {
  readonly link: FleetLink;
  readonly executors: readonly string[];
  /** The suite: task id → what to run. */
  readonly tasks: ReadonlyMap<string, TaskSpec>;
  /** Unanswered dispatches per executor. Default 8. */
  readonly window?: number;
  /** Interval of the health pings to executors, in ms. Default 250. */
  readonly heartbeatMs?: number;
  /**
   * Least deadline of a ping, in ms. Default 750. It grows with the round trips seen to each
   * executor (three retransmission timeouts, at most 10 s): a slow but answering network does
   * not open breakers, a peer that stops answering still does.
   */
  readonly pingTimeoutMs?: number;
  /** Least deadline of an assignment, in ms. Default 2,000; at least the ping's deadline on a slow network. */
  readonly assignTimeoutMs?: number;
  /** A dispatch unanswered this long is given up (outcome unknown) and re-dispatched, in ms. Default 60,000. */
  readonly leaseMs?: number;
  /** Per-executor breakers. Default volumeThreshold 4, 50 %, rolling window 2 s, reset 1.5 s. */
  readonly breaker?: BreakerGroupOptions;
  /**
   * Breakers that outlive this run (an agent running rounds keeps one per peer for its lifetime,
   * so a dead or refused executor stays open across rounds until it answers). Not closed by close().
   * Default: a group of this coordinator's own, made with `breaker`.
   */
  readonly breakers?: BreakerGroup;
}

/** Default breakers of a coordinator, for callers that keep a group across runs. */
export function createExecutorBreakers(options?: BreakerGroupOptions): BreakerGroup {
  return new BreakerGroup({ ...DEFAULT_BREAKER, ...options });
}

const DEFAULT_BREAKER: BreakerGroupOptions = {
  volumeThreshold: 4,
  errorThresholdPercentage: 50,
  rollingWindowMs: 2_000,
  rollingBuckets: 8,
  resetTimeoutMs: 1_500,
};

/**
 * Owns the suite and the task ledger: dispatches tasks to executors whose breaker is closed,
 * pings them, and re-dispatches the tasks of an executor whose breaker opens (it died or the
 * network to it failed) or whose lease expires.
 */
/** Events of the coordinator: every booked result, and the end of the run. */
export interface CoordinatorEvents {
  booked: [{ taskId: string; executor: string; booking: string; completed: number }];
  /** A peer refused at the TLS layer, first seen (or with a new reason): log it. */
  peerRefused: [PeerRefusal];
}

export class CoordinatorAgent extends EventEmitter<CoordinatorEvents> {
  readonly ledger: TaskLedger;
  readonly breakers: BreakerGroup;
  readonly latency = new LatencyHistogram();
  readonly #options: CoordinatorAgentOptions & {
    window: number;
    heartbeatMs: number;
    pingTimeoutMs: number;
    assignTimeoutMs: number;
    leaseMs: number;
  };
  readonly #results: Record<string, TaskResultRecord> = {};
  readonly #transitions: BreakerTransition[] = [];
  readonly #stop = new AbortController();
  readonly #startedAt = performance.now();
  #redispatches = 0;
  #refusals = 0;
  #assignFailures = 0;
  readonly #peerRefusals = new PeerRefusals();
  readonly #roundTrips: RoundTripEstimator;
  readonly #ownsBreakers: boolean;
  readonly #breakerListener = ({ key, from, to }: { key?: string; from: string; to: string }): void =>
    this.#onBreaker(key ?? '?', from, to);
  #timers: NodeJS.Timeout[] = [];
  #finished: (() => void) | undefined;

  constructor(options: CoordinatorAgentOptions) {
    super();
    if (options.executors.length === 0) throw new InvalidOptionsError('the coordinator needs at least one executor');
    this.#options = {
      window: 8,
      heartbeatMs: 250,
      pingTimeoutMs: 750,
      assignTimeoutMs: 2_000,
      leaseMs: 60_000,
      ...options,
    };
    this.ledger = new TaskLedger(options.tasks.keys());
    const floorMs = this.#options.pingTimeoutMs;
    this.#roundTrips = new RoundTripEstimator({ floorMs, capMs: Math.max(floorMs, 10_000), factor: 3 });
    this.#ownsBreakers = options.breakers === undefined;
    this.breakers = options.breakers ?? createExecutorBreakers(options.breaker);
    this.breakers.on('stateChange', this.#breakerListener);
    options.link.handle(METHODS.ping, () => ({
      agentId: options.link.agentId,
      role: 'coordinator',
      pending: this.ledger.pending,
    }));
    options.link.handle(METHODS.result, (body) => this.#onResult(parseResult(body)));
  }

  /** Dispatches the whole suite; resolves once every task has a booked result or `signal` aborts. */
  run(signal?: AbortSignal): Promise<RunRecord> {
    return new Promise((resolve) => {
      const finish = (): void => {
        this.#finished = undefined;
        signal?.removeEventListener('abort', finish);
        this.#stopTimers();
        resolve(this.record());
      };
      this.#finished = finish;
      // A deadline spent before the run began (waiting for peers) ends it at once.
      if (signal?.aborted === true) return finish();
      signal?.addEventListener('abort', finish, { once: true });
      this.#timers.push(setInterval(() => this.#heartbeat(), this.#options.heartbeatMs));
      this.#timers.push(setInterval(() => this.#expireLeases(), Math.min(1_000, this.#options.leaseMs)));
      this.#pump();
      if (this.ledger.done) finish();
    });
  }

  /** What the coordinator knows now. */
  record(): RunRecord {
    return {
      accounting: this.ledger.accounting(),
      results: { ...this.#results },
      taskLatency: this.latency.encode(),
      redispatches: this.#redispatches,
      assignFailures: this.#assignFailures,
      refusals: this.#refusals,
      breakerTransitions: [...this.#transitions],
      peerRefusals: this.#peerRefusals.list(),
      durationMs: performance.now() - this.#startedAt,
    };
  }

  /** Stops dispatching and releases timers and breakers. */
  close(): void {
    this.#stop.abort();
    this.#stopTimers();
    this.#finished?.();
    this.breakers.off('stateChange', this.#breakerListener);
    this.#roundTrips.clear();
    if (this.#ownsBreakers) this.breakers.close();
    this.removeAllListeners();
  }

  #stopTimers(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  #eligible(executor: string): boolean {
    return this.breakers.state(executor) === 'closed' && this.ledger.outstanding(executor) < this.#options.window;
  }

  #pump(): void {
    if (this.#stop.signal.aborted) return;
    let dispatched = true;
    // Round-robin one task at a time so the suite spreads evenly over the executors.
    while (dispatched && this.ledger.pending > 0) {
      dispatched = false;
      for (const executor of this.#options.executors) {
        if (this.ledger.pending === 0 || !this.#eligible(executor)) continue;
        const record = this.ledger.dispatchNext(executor, performance.now());
        if (record === undefined) break;
        dispatched = true;
        void this.#assign(record);
      }
    }
  }

  async #assign(record: DispatchRecord): Promise<void> {
    const spec = this.#options.tasks.get(record.taskId)!;
    try {
      const answer = await this.breakers.execute(
        record.executor,
        (signal) =>
          this.#options.link.request<AssignAnswer>(
            record.executor,
            METHODS.assign,
            { dispatchId: record.dispatchId, taskId: record.taskId, spec },
            { timeoutMs: Math.max(this.#options.assignTimeoutMs, this.pingDeadlineMs(record.executor)), signal },
          ),
        this.#stop.signal,
      );
      if (answer?.accepted === true) this.ledger.acknowledge(record.dispatchId);
      else {
        this.#refusals += 1;
        this.#giveUp(record.dispatchId, true, false);
      }
    } catch (error) {
      this.#assignFailures += 1;
      this.#noteRefusal(record.executor, error);
      // An open breaker or a refused handshake never sent it; anything else may have reached the executor.
      this.#giveUp(record.dispatchId, error instanceof BreakerOpenError || refusalOf(error) !== undefined);
    }
  }

  #giveUp(dispatchId: string, known: boolean, counts = true): void {
    if (this.ledger.abandon(dispatchId, known) && counts) this.#redispatches += 1;
    setImmediate(() => this.#pump());
  }

  #onResult(result: ResultMessage): { booked: string } {
    const { booking, dispatch } = this.ledger.recordResult(result.dispatchId, result.taskId);
    if (booking === 'completed') {
      this.#results[result.taskId] = {
        outcome: result.outcome,
        attempts: result.attempts,
        firstRunFailed: result.firstRunFailed,
        executor: result.executor,
        prediction: result.prediction,
      };
      this.latency.record(performance.now() - dispatch!.sentAt);
    }
    this.emit('booked', {
      taskId: result.taskId,
      executor: result.executor,
      booking,
      completed: this.ledger.completed,
    });
    if (this.ledger.done) this.#finished?.();
    else this.#pump();
    return { booked: booking };
  }

  #heartbeat(): void {
    const { link } = this.#options;
    for (const executor of this.#options.executors) {
      const ping = async (signal: AbortSignal): Promise<void> => {
        const sentAt = performance.now();
        await link.request(executor, METHODS.ping, {}, { timeoutMs: this.pingDeadlineMs(executor), signal });
        this.#roundTrips.observe(executor, performance.now() - sentAt);
      };
      this.breakers
        .execute(executor, ping, this.#stop.signal)
        .catch((error: unknown) => this.#noteRefusal(executor, error));
    }
  }

  /** The deadline of the next ping to `executor`, in ms: pingTimeoutMs, or more on a slow network. */
  pingDeadlineMs(executor: string): number {
    return this.#roundTrips.deadline(executor);
  }

  /** A refused certificate opens the peer's breaker (a peer failure) and is named in the log and summary. */
  #noteRefusal(peer: string, error: unknown): void {
    const refusal = this.#peerRefusals.note(peer, error);
    if (refusal !== undefined) this.emit('peerRefused', refusal);
  }

  #expireLeases(): void {
    for (const record of this.ledger.liveSentBefore(performance.now() - this.#options.leaseMs)) {
      if (this.ledger.abandon(record.dispatchId)) this.#redispatches += 1;
    }
    this.#pump();
  }

  #onBreaker(peer: string, from: string, to: string): void {
    this.#transitions.push({ peer, from, to, atMs: performance.now() - this.#startedAt });
    if (to === 'open') {
      // The executor is dead or unreachable: whatever it holds has an unknown outcome.
      this.#redispatches += this.ledger.abandonExecutor(peer);
    }
    setImmediate(() => this.#pump());
  }
}
