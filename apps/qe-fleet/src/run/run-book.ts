import { TaskLedger, type Accounting, type DispatchRecord, type ResultBooking } from '../ledger/task-ledger';
import type { FileTask } from './types';

/** A dispatch of a file or rerun task (the ledger's record). */
export type RunDispatch = DispatchRecord;

interface BookEntry {
  readonly task: FileTask;
  /** Recorded duration used for longest-first ordering, in ms. */
  readonly expectedMs: number;
  /** Executors that ran earlier attempts: a rerun goes elsewhere when it can. */
  readonly avoid: ReadonlySet<string>;
}

/** Serial tasks first (they run one at a time while the fleet is otherwise idle), then the longest. */
function ahead(a: BookEntry, b: BookEntry): boolean {
  const serialA = a.task.serial === true;
  if (serialA !== (b.task.serial === true)) return serialA;
  return a.expectedMs > b.expectedMs;
}

/**
 * The coordinator's book of a test run: a TaskLedger (dispatch, re-queue, each result booked
 * exactly once, Jepsen-style accounting) plus what a test run adds: the file task behind each id,
 * longest recorded first, and reruns kept away from the executors that ran earlier attempts.
 * The history store keeps the durable copy (see RunCoordinatorOptions.persist).
 */
export class RunBook {
  readonly #ledger = new TaskLedger();
  readonly #tasks = new Map<string, BookEntry>();

  /** Adds a task to the queue; `avoid` lists executors it should not go to. */
  add(task: FileTask, expectedMs: number, avoid: readonly string[] = []): void {
    this.#ledger.add(task.taskId);
    this.#tasks.set(task.taskId, { task, expectedMs, avoid: new Set(avoid) });
  }

  /** Restores a task as booked (resume from a durable ledger): never dispatched again. */
  restoreCompleted(task: FileTask, expectedMs: number): void {
    this.#ledger.restoreCompleted(task.taskId);
    this.#tasks.set(task.taskId, { task, expectedMs, avoid: new Set() });
  }

  task(taskId: string): FileTask | undefined {
    return this.#tasks.get(taskId)?.task;
  }

  get done(): boolean {
    return this.#ledger.done;
  }

  get size(): number {
    return this.#ledger.size;
  }

  get completed(): number {
    return this.#ledger.completed;
  }

  get pending(): number {
    return this.#ledger.pending;
  }

  /** Queued serial tasks (run alone, see dispatchNext). */
  get serialPending(): number {
    let n = 0;
    for (const entry of this.#tasks.values())
      if (entry.task.serial === true && this.#ledger.isQueued(entry.task.taskId)) n += 1;
    return n;
  }

  /**
   * Dispatches the longest queued task `executor` may take: one it has not run before, unless
   * every healthy executor has (then a rerun may repeat on the same one). Serial tasks come
   * first and run alone: none is sent while anything is live, nothing while one is live.
   */
  dispatchNext(executor: string, healthy: readonly string[], now: number): RunDispatch | undefined {
    const live = this.#ledger.live();
    if (live.some((d) => this.#tasks.get(d.taskId)?.task.serial === true)) return undefined;
    let best: BookEntry | undefined;
    for (const entry of this.#tasks.values()) {
      if (!this.#ledger.isQueued(entry.task.taskId)) continue;
      const elsewhere = healthy.some((h) => !entry.avoid.has(h));
      if (entry.avoid.has(executor) && elsewhere) continue;
      if (best === undefined || ahead(entry, best)) best = entry;
    }
    if (best === undefined) return undefined;
    // A serial task waits for the fleet to drain; holding the others back keeps it from starving.
    if (best.task.serial === true && live.length > 0) return undefined;
    return this.#ledger.dispatchTask(best.task.taskId, executor, now);
  }

  acknowledge(dispatchId: string): void {
    this.#ledger.acknowledge(dispatchId);
  }

  /** Gives up on a dispatch (`known`: it certainly never ran); re-queues its task unless done or live elsewhere. */
  abandon(dispatchId: string, known = false): boolean {
    return this.#ledger.abandon(dispatchId, known);
  }

  /** Live dispatches (sent or acknowledged, unanswered), optionally of one executor or sent before a time. */
  live(filter: { executor?: string; sentBefore?: number } = {}): RunDispatch[] {
    return this.#ledger.live(filter);
  }

  /** How `book` would book this result, without booking it. */
  peek(dispatchId: string, taskId: string): ResultBooking {
    return this.#ledger.peek(dispatchId, taskId);
  }

  /** Books a result: the first for a task completes it, later ones are duplicates, unknown ids phantoms. */
  book(dispatchId: string, taskId: string): ResultBooking {
    return this.#ledger.recordResult(dispatchId, taskId).booking;
  }

  accounting(): Accounting {
    return this.#ledger.accounting();
  }
}
