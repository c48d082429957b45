import { Bulkhead, InvalidOptionsError } from '@agentlink/resilience';
import { deliverResult } from '../messaging/deliver-result';
import { METHODS } from '../messaging/protocol';
import type { FleetLink } from '../messaging/fleet-link';
import { adapterFor } from './adapters/detect-runners';
import { executeFile } from './execute-file';
import { parseRunAssign, RUN_METHODS, type RunAssignMessage, type RunResultMessage } from './run-protocol';

export interface FileExecutorOptions {
  readonly link: FleetLink;
  readonly coordinatorId: string;
  /** Files run at once. Default 2. */
  readonly slots?: number;
  /** The project directory on this host; default the one the coordinator sends. */
  readonly projectDir?: string;
  /** Kill a runner after this long, in ms. Default 10 minutes. */
  readonly fileTimeoutMs?: number;
  /**
   * Each runner in a process group of its own, killed as a group on close (default true). An
   * executor process passes false: it leads a group its coordinator signals as a whole, so a
   * SIGKILL of the executor takes its runners too.
   */
  readonly runnerGroups?: boolean;
}

/**
 * An executor of test files: accepts assignments at once, runs up to `slots` files in parallel
 * with the project's runner, and delivers each result with retries until the coordinator books it.
 */
export class FileExecutor {
  readonly stats = { accepted: 0, refused: 0, executions: 0, resultRetries: 0 };
  readonly #options: FileExecutorOptions;
  readonly #slots: Bulkhead;
  readonly #running = new Set<Promise<void>>();
  readonly #stop = new AbortController();

  constructor(options: FileExecutorOptions) {
    const slots = options.slots ?? 2;
    if (!Number.isInteger(slots) || slots < 1)
      throw new InvalidOptionsError(`slots must be a positive integer, got ${slots}`);
    this.#options = options;
    this.#slots = new Bulkhead({ maxConcurrent: slots, maxQueue: slots * 4 });
    options.link.handle(METHODS.ping, () => ({
      agentId: options.link.agentId,
      role: 'executor',
      running: this.#running.size,
      ...this.stats,
    }));
    options.link.handle(RUN_METHODS.assign, (body) => this.#accept(parseRunAssign(body)));
  }

  get running(): number {
    return this.#running.size;
  }

  #accept(message: RunAssignMessage): { accepted: boolean } {
    if (this.#stop.signal.aborted || this.#running.size >= (this.#options.slots ?? 2) * 4) {
      this.stats.refused += 1;
      return { accepted: false };
    }
    this.stats.accepted += 1;
    const job = this.#execute(message).finally(() => this.#running.delete(job));
    this.#running.add(job);
    return { accepted: true };
  }

  async #execute(message: RunAssignMessage): Promise<void> {
    const signal = this.#stop.signal;
    try {
      const execution = await this.#slots.execute(
        () =>
          executeFile(message.task, {
            projectDir: this.#options.projectDir ?? message.projectDir,
            adapter: adapterFor(message.task.runner, message.command),
            executor: this.#options.link.agentId,
            runId: message.runId,
            timeoutMs: this.#options.fileTimeoutMs,
            signal,
            ownGroup: this.#options.runnerGroups,
          }),
        signal,
      );
      this.stats.executions += 1;
      await this.#deliver({ dispatchId: message.dispatchId, execution }, signal);
    } catch {
      // Stopped mid-file: the coordinator re-dispatches what it never got a result for.
    }
  }

  async #deliver(result: RunResultMessage, signal: AbortSignal): Promise<void> {
    await deliverResult(this.#options.link, this.#options.coordinatorId, RUN_METHODS.result, result, {
      signal,
      attemptTimeoutMs: 5_000,
      budgetMs: 300_000,
      maxDelayMs: 2_000,
      onAttempt: () => {
        this.stats.resultRetries += 1;
      },
    });
  }

  /** Stops taking work and abandons running files (their runners are killed, with their process groups). */
  async close(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([...this.#running]);
  }
}
