import { Bulkhead, exponentialBackoff, InvalidOptionsError, retry } from '@agentlink/resilience';
import { deliverResult } from '../messaging/deliver-result';
import type { FleetLink } from '../messaging/fleet-link';
import {
  METHODS,
  parseAssign,
  type AssignAnswer,
  type AssignMessage,
  type PredictionAnswer,
  type ResultMessage,
  type TaskOutcome,
} from '../messaging/protocol';
import { runTask, type TaskRunner } from './task-runners';

export interface ExecutorAgentOptions {
  readonly link: FleetLink;
  readonly coordinatorId: string;
  readonly analyserId: string;
  /** Tasks run at once. Default 4. */
  readonly slots?: number;
  /** Tasks accepted (running, queued or delivering their result) before refusing more. Default 4 × slots. */
  readonly capacity?: number;
  /** Reruns of a failing test the analyser judges flaky. Default 2. */
  readonly maxReruns?: number;
  /** Deadline of one prediction request across the fleet (first dial included), in ms; tried twice. Default 3,000. */
  readonly predictionTimeoutMs?: number;
  /** Runs one execution; default the replay/command runner. */
  readonly runner?: TaskRunner;
}

/** Counters an executor reports. */
export interface ExecutorStats {
  accepted: number;
  refused: number;
  executions: number;
  reruns: number;
  predictionsAsked: number;
  predictionFailures: number;
  resultRetries: number;
}

/**
 * Runs the tasks the coordinator assigns: acknowledges at once, executes in the background,
 * asks the analyser about a failure, reruns a failure judged flaky, and delivers the result
 * with retries until the coordinator books it.
 */
export class ExecutorAgent {
  readonly stats: ExecutorStats = {
    accepted: 0,
    refused: 0,
    executions: 0,
    reruns: 0,
    predictionsAsked: 0,
    predictionFailures: 0,
    resultRetries: 0,
  };
  readonly #options: Required<Omit<ExecutorAgentOptions, 'link' | 'coordinatorId' | 'analyserId'>> &
    ExecutorAgentOptions;
  readonly #running = new Set<Promise<void>>();
  readonly #slots: Bulkhead;
  readonly #stop = new AbortController();

  constructor(options: ExecutorAgentOptions) {
    const slots = options.slots ?? 4;
    if (!Number.isInteger(slots) || slots < 1)
      throw new InvalidOptionsError(`slots must be a positive integer, got ${slots}`);
    const capacity = options.capacity ?? slots * 4;
    if (!Number.isInteger(capacity) || capacity < slots)
      throw new InvalidOptionsError(`capacity must be an integer >= slots, got ${capacity}`);
    this.#slots = new Bulkhead({ maxConcurrent: slots, maxQueue: capacity });
    this.#options = {
      capacity,
      slots,
      maxReruns: options.maxReruns ?? 2,
      predictionTimeoutMs: options.predictionTimeoutMs ?? 3_000,
      runner: options.runner ?? runTask,
      ...options,
    };
    options.link.handle(METHODS.ping, () => ({
      agentId: options.link.agentId,
      role: 'executor',
      running: this.#running.size,
      ...this.stats,
    }));
    options.link.handle(METHODS.assign, (body) => this.#accept(parseAssign(body)));
  }

  /** Tasks executing now. */
  get running(): number {
    return this.#running.size;
  }

  #accept(message: AssignMessage): AssignAnswer {
    // The coordinator keeps a small queue here so no slot idles between tasks; capacity also
    // covers tasks still delivering their result when the next assignment arrives.
    if (this.#stop.signal.aborted || this.#running.size >= this.#options.capacity) {
      this.stats.refused += 1;
      return { accepted: false };
    }
    this.stats.accepted += 1;
    const job = this.#execute(message).finally(() => this.#running.delete(job));
    this.#running.add(job);
    return { accepted: true };
  }

  async #execute(message: AssignMessage): Promise<void> {
    const signal = this.#stop.signal;
    try {
      const result = await this.#slots.execute(() => this.#runWithReruns(message, signal), signal);
      await this.#deliver(result, signal);
    } catch {
      // Stopped mid-task: the coordinator re-dispatches what it never got a result for.
    }
  }

  async #runWithReruns(message: AssignMessage, signal: AbortSignal): Promise<ResultMessage> {
    const { runner, maxReruns } = this.#options;
    const first = await runner(message.spec, message.taskId, 1, signal);
    this.stats.executions += 1;
    let attempts = 1;
    let durationMs = first.durationMs;
    let outcome: TaskOutcome = first.failed ? 'failed' : 'passed';
    let prediction: PredictionAnswer | undefined;
    let detail = first.detail;
    if (first.failed && message.spec.kind === 'replay') {
      prediction = await this.#askAnalyser(message, signal);
      if (prediction?.flaky === true) {
        for (let rerun = 1; rerun <= maxReruns && outcome === 'failed'; rerun += 1) {
          attempts += 1;
          this.stats.reruns += 1;
          this.stats.executions += 1;
          const again = await runner(message.spec, message.taskId, attempts, signal);
          durationMs += again.durationMs;
          if (!again.failed) {
            outcome = 'flaky';
            detail = undefined;
          }
        }
      }
    }
    return {
      dispatchId: message.dispatchId,
      taskId: message.taskId,
      executor: this.#options.link.agentId,
      outcome,
      attempts,
      firstRunFailed: first.failed,
      prediction,
      durationMs,
      detail,
    };
  }

  async #askAnalyser(message: AssignMessage, signal: AbortSignal): Promise<PredictionAnswer | undefined> {
    if (message.spec.kind !== 'replay') return undefined;
    this.stats.predictionsAsked += 1;
    const body = { testId: message.spec.test.id, features: message.spec.test.features };
    try {
      return await retry(
        ({ signal: attemptSignal }) =>
          this.#options.link.request<PredictionAnswer>(this.#options.analyserId, METHODS.predict, body, {
            timeoutMs: this.#options.predictionTimeoutMs,
            signal: attemptSignal,
          }),
        {
          maxAttempts: 2,
          signal,
          backoff: exponentialBackoff({ initialDelayMs: 50, maxDelayMs: 200, jitter: 'full' }),
        },
      );
    } catch {
      // No analyser: report the failure as it is rather than guess.
      this.stats.predictionFailures += 1;
      return undefined;
    }
  }

  async #deliver(result: ResultMessage, signal: AbortSignal): Promise<void> {
    await deliverResult(this.#options.link, this.#options.coordinatorId, METHODS.result, result, {
      signal,
      attemptTimeoutMs: 3_000,
      budgetMs: 120_000,
      maxDelayMs: 1_000,
      onAttempt: () => {
        this.stats.resultRetries += 1;
      },
    });
  }

  /** Stops taking work and abandons running tasks (the coordinator re-dispatches them). */
  async close(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([...this.#running]);
  }
}
