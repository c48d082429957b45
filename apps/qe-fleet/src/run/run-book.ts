import { InvalidOptionsError } from '@agentlink/resilience';
import type { Accounting, DispatchState, ResultBooking } from '../ledger/task-ledger';
import type { FileTask } from './types';

export interface RunDispatch {
  readonly dispatchId: string;
  readonly taskId: string;
  readonly executor: string;
  readonly sentAt: number;
  state: DispatchState;
}

interface BookEntry {
  readonly task: FileTask;
  /** Recorded duration used for longest-first ordering, in ms. */
  readonly expectedMs: number;
  /** Executors that ran earlier attempts: a rerun goes elsewhere when it can. */
  readonly avoid: ReadonlySet<string>;
  queued: boolean;
  completed: boolean;
  acknowledged: boolean;
  readonly live: Set<string>;
}

/**
 * The coordinator's book of a test run: file and rerun tasks from queue to booked result,
 * longest recorded first, each booked exactly once (Jepsen-style accounting as TaskLedger).
 * Unlike TaskLedger, tasks are added while the run goes (reruns) and remember where they ran;
 * the history store keeps the durable copy (see RunCoordinatorOptions.persist).
 */
export class RunBook {
  readonly #tasks = new Map<string, BookEntry>();
  readonly #dispatches = new Map<string, RunDispatch>();
  #sequence = 0;
  #completed = 0;
  #phantom = 0;
  #unknown = 0;
  #duplicates = 0;

  /** Adds a task to the queue; `avoid` lists executors it should not go to. */
  add(task: FileTask, expectedMs: number, avoid: readonly string[] = []): void {
    if (this.#tasks.has(task.taskId)) throw new InvalidOptionsError(`task id "${task.taskId}" appears twice`);
    this.#tasks.set(task.taskId, {
      task,
      expectedMs,
      avoid: new Set(avoid),
      queued: true,
      completed: false,
      acknowledged: false,
      live: new Set(),
    });
  }

  /** Restores a task as booked (resume from a durable ledger): never dispatched again. */
  restoreCompleted(task: FileTask, expectedMs: number): void {
    this.#tasks.set(task.taskId, {
      task,
      expectedMs,
      avoid: new Set(),
      queued: false,
      completed: true,
      acknowledged: true,
      live: new Set(),
    });
    this.#completed += 1;
  }

  task(taskId: string): FileTask | undefined {
    return this.#tasks.get(taskId)?.task;
  }

  get done(): boolean {
    return this.#completed === this.#tasks.size;
  }

  get size(): number {
    return this.#tasks.size;
  }

  get completed(): number {
    return this.#completed;
  }

  get pending(): number {
    let n = 0;
    for (const entry of this.#tasks.values()) if (entry.queued) n += 1;
    return n;
  }

  /**
   * Dispatches the longest queued task `executor` may take: one it has not run before, unless
   * every healthy executor has (then a rerun may repeat on the same one).
   */
  dispatchNext(executor: string, healthy: readonly string[], now: number): RunDispatch | undefined {
    let best: BookEntry | undefined;
    for (const entry of this.#tasks.values()) {
      if (!entry.queued) continue;
      const elsewhere = healthy.some((h) => !entry.avoid.has(h));
      if (entry.avoid.has(executor) && elsewhere) continue;
      if (best === undefined || entry.expectedMs > best.expectedMs) best = entry;
    }
    if (best === undefined) return undefined;
    best.queued = false;
    this.#sequence += 1;
    const dispatch: RunDispatch = {
      dispatchId: `${best.task.taskId}#${this.#sequence}`,
      taskId: best.task.taskId,
      executor,
      sentAt: now,
      state: 'sent',
    };
    this.#dispatches.set(dispatch.dispatchId, dispatch);
    best.live.add(dispatch.dispatchId);
    return dispatch;
  }

  acknowledge(dispatchId: string): void {
    const dispatch = this.#dispatches.get(dispatchId);
    if (dispatch === undefined || dispatch.state !== 'sent') return;
    dispatch.state = 'acknowledged';
    this.#tasks.get(dispatch.taskId)!.acknowledged = true;
  }

  /** Gives up on a dispatch (`known`: it certainly never ran); re-queues its task unless done or live elsewhere. */
  abandon(dispatchId: string, known = false): boolean {
    const dispatch = this.#dispatches.get(dispatchId);
    if (dispatch === undefined || dispatch.state === 'answered' || dispatch.state === 'abandoned') return false;
    dispatch.state = 'abandoned';
    if (!known) this.#unknown += 1;
    const entry = this.#tasks.get(dispatch.taskId)!;
    entry.live.delete(dispatchId);
    if (!entry.completed && entry.live.size === 0) entry.queued = true;
    return true;
  }

  /** Live dispatches (sent or acknowledged, unanswered), optionally of one executor or sent before a time. */
  live(filter: { executor?: string; sentBefore?: number } = {}): RunDispatch[] {
    return [...this.#dispatches.values()].filter(
      (d) =>
        (d.state === 'sent' || d.state === 'acknowledged') &&
        (filter.executor === undefined || d.executor === filter.executor) &&
        (filter.sentBefore === undefined || d.sentAt < filter.sentBefore),
    );
  }

  /** How `book` would book this result, without booking it. */
  peek(dispatchId: string, taskId: string): ResultBooking {
    const dispatch = this.#dispatches.get(dispatchId);
    const entry = this.#tasks.get(taskId);
    if (dispatch === undefined || entry === undefined || dispatch.taskId !== taskId) return 'phantom';
    return dispatch.state === 'answered' || entry.completed ? 'duplicate' : 'completed';
  }

  /** Books a result: the first for a task completes it, later ones are duplicates, unknown ids phantoms. */
  book(dispatchId: string, taskId: string): ResultBooking {
    const dispatch = this.#dispatches.get(dispatchId);
    const entry = this.#tasks.get(taskId);
    if (dispatch === undefined || entry === undefined || dispatch.taskId !== taskId) {
      this.#phantom += 1;
      return 'phantom';
    }
    const wasAnswered = dispatch.state === 'answered';
    dispatch.state = 'answered';
    entry.live.delete(dispatchId);
    if (wasAnswered || entry.completed) {
      this.#duplicates += 1;
      return 'duplicate';
    }
    entry.completed = true;
    entry.acknowledged = true;
    entry.queued = false;
    this.#completed += 1;
    return 'completed';
  }

  accounting(): Accounting {
    let acknowledged = 0;
    for (const entry of this.#tasks.values()) if (entry.acknowledged) acknowledged += 1;
    return {
      tasks: this.#tasks.size,
      dispatches: this.#dispatches.size,
      acknowledged,
      completedOnce: this.#completed,
      lost: this.#tasks.size - this.#completed,
      phantom: this.#phantom,
      unknownOutcome: this.#unknown,
      duplicates: this.#duplicates,
    };
  }
}
