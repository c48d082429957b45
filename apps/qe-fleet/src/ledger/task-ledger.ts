import { InvalidOptionsError } from '@agentlink/resilience';

/** What happened to one dispatch (one attempt to have an executor run a task). */
export type DispatchState = 'sent' | 'acknowledged' | 'answered' | 'abandoned';

export interface DispatchRecord {
  readonly dispatchId: string;
  readonly taskId: string;
  readonly executor: string;
  readonly sentAt: number;
  state: DispatchState;
}

/** How a result was booked. */
export type ResultBooking = 'completed' | 'duplicate' | 'phantom';

/** Jepsen-style accounting of a run: every task once, nothing invented, doubts counted apart. */
export interface Accounting {
  /** Tasks the coordinator owned. */
  readonly tasks: number;
  /** Dispatches sent to executors (first sends and re-dispatches). */
  readonly dispatches: number;
  /** Tasks at least one executor acknowledged. */
  readonly acknowledged: number;
  /** Tasks whose result was booked, each exactly once. */
  readonly completedOnce: number;
  /** Tasks never completed: must be 0. */
  readonly lost: number;
  /** Results naming a task or dispatch that was never sent: must be 0. */
  readonly phantom: number;
  /** Dispatches whose outcome was unknown (executor died, breaker opened, timed out); their tasks re-dispatched. */
  readonly unknownOutcome: number;
  /** Results that arrived for an already completed task (after a re-dispatch); reported, never counted twice. */
  readonly duplicates: number;
}

interface TaskRecord {
  completed: boolean;
  acknowledged: boolean;
  queued: boolean;
  readonly live: Set<string>;
}

/**
 * The coordinator's book of tasks: it tracks every task id from dispatch until a result
 * arrives, re-queues the tasks of dispatches given up on, and books each result once.
 */
export class TaskLedger {
  readonly #tasks = new Map<string, TaskRecord>();
  readonly #dispatches = new Map<string, DispatchRecord>();
  readonly #queue: string[] = [];
  /** Live (sent or acknowledged) dispatches per executor: the coordinator asks for every result. */
  readonly #live = new Map<string, Set<DispatchRecord>>();
  #sequence = 0;
  #completed = 0;
  #phantom = 0;
  #unknown = 0;
  #duplicates = 0;

  constructor(taskIds: Iterable<string> = []) {
    for (const taskId of taskIds) this.add(taskId);
  }

  /** Adds a task to the end of the queue (a test run adds its reruns while it goes). */
  add(taskId: string): void {
    if (this.#tasks.has(taskId)) throw new InvalidOptionsError(`task id "${taskId}" appears twice`);
    this.#tasks.set(taskId, { completed: false, acknowledged: false, queued: true, live: new Set() });
    this.#queue.push(taskId);
  }

  /** Adds a task already booked (a run resumed from a durable ledger): never dispatched again. */
  restoreCompleted(taskId: string): void {
    if (this.#tasks.has(taskId)) throw new InvalidOptionsError(`task id "${taskId}" appears twice`);
    this.#tasks.set(taskId, { completed: true, acknowledged: true, queued: false, live: new Set() });
    this.#completed += 1;
  }

  /** Tasks the ledger owns. */
  get size(): number {
    return this.#tasks.size;
  }

  /** True while the task waits for an executor. */
  isQueued(taskId: string): boolean {
    return this.#tasks.get(taskId)?.queued === true;
  }

  /** True once every task has a booked result. */
  get done(): boolean {
    return this.#completed === this.#tasks.size;
  }

  /** Tasks with a booked result. */
  get completed(): number {
    return this.#completed;
  }

  /** Tasks waiting for an executor. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Takes the next task waiting for an executor and records its dispatch to `executor`. */
  dispatchNext(executor: string, now: number): DispatchRecord | undefined {
    const taskId = this.#queue[0];
    return taskId === undefined ? undefined : this.dispatchTask(taskId, executor, now);
  }

  /** Dispatches a given queued task (a caller with its own order, e.g. longest first); undefined if not queued. */
  dispatchTask(taskId: string, executor: string, now: number): DispatchRecord | undefined {
    const task = this.#tasks.get(taskId);
    if (task?.queued !== true) return undefined;
    this.#queue.splice(this.#queue.indexOf(taskId), 1);
    task.queued = false;
    this.#sequence += 1;
    const record: DispatchRecord = {
      dispatchId: `${taskId}#${this.#sequence}`,
      taskId,
      executor,
      sentAt: now,
      state: 'sent',
    };
    this.#dispatches.set(record.dispatchId, record);
    task.live.add(record.dispatchId);
    let live = this.#live.get(executor);
    if (live === undefined) {
      live = new Set();
      this.#live.set(executor, live);
    }
    live.add(record);
    return record;
  }

  /** The executor accepted the dispatch. */
  acknowledge(dispatchId: string): void {
    const record = this.#dispatches.get(dispatchId);
    if (record === undefined || record.state !== 'sent') return;
    record.state = 'acknowledged';
    this.#tasks.get(record.taskId)!.acknowledged = true;
  }

  /**
   * Gives up on a dispatch. `known: true` means the executor certainly never took it (refused,
   * never reached); otherwise its outcome is unknown and counted so. The task is re-queued unless
   * it completed or another dispatch of it is still live.
   */
  abandon(dispatchId: string, known = false): boolean {
    const record = this.#dispatches.get(dispatchId);
    if (record === undefined || record.state === 'answered' || record.state === 'abandoned') return false;
    record.state = 'abandoned';
    this.#live.get(record.executor)?.delete(record);
    if (!known) this.#unknown += 1;
    const task = this.#tasks.get(record.taskId)!;
    task.live.delete(dispatchId);
    if (!task.completed && task.live.size === 0 && !task.queued) {
      task.queued = true;
      // Front of the queue: a re-dispatched task has waited longest.
      this.#queue.unshift(record.taskId);
    }
    return true;
  }

  /** Abandons every live dispatch of an executor (it died or its breaker opened); returns how many. */
  abandonExecutor(executor: string): number {
    let count = 0;
    for (const record of [...(this.#live.get(executor) ?? [])]) {
      if (this.abandon(record.dispatchId)) count += 1;
    }
    return count;
  }

  /** Live (sent or acknowledged, unanswered) dispatches of an executor. */
  outstanding(executor: string): number {
    return this.#live.get(executor)?.size ?? 0;
  }

  /** Live dispatches sent before `before` (for lease expiry). */
  liveSentBefore(before: number): DispatchRecord[] {
    return this.live({ sentBefore: before });
  }

  /** Live dispatches, optionally only an executor's and only those sent before a time. */
  live(filter: { executor?: string; sentBefore?: number } = {}): DispatchRecord[] {
    const sets = filter.executor === undefined ? [...this.#live.values()] : [this.#live.get(filter.executor) ?? []];
    const before = filter.sentBefore ?? Number.POSITIVE_INFINITY;
    return sets.flatMap((live) => [...live].filter((record) => record.sentAt < before));
  }

  /** How `recordResult` would book this result, without booking it. */
  peek(dispatchId: string, taskId: string): ResultBooking {
    const record = this.#dispatches.get(dispatchId);
    const task = this.#tasks.get(taskId);
    if (record === undefined || task === undefined || record.taskId !== taskId) return 'phantom';
    return record.state === 'answered' || task.completed ? 'duplicate' : 'completed';
  }

  /** Books a result. A task's first result completes it; later ones are duplicates; unknown ids are phantoms. */
  recordResult(dispatchId: string, taskId: string): { booking: ResultBooking; dispatch?: DispatchRecord } {
    const record = this.#dispatches.get(dispatchId);
    const task = this.#tasks.get(taskId);
    if (record === undefined || task === undefined || record.taskId !== taskId) {
      this.#phantom += 1;
      return { booking: 'phantom' };
    }
    if (record.state === 'answered') {
      this.#duplicates += 1;
      return { booking: 'duplicate', dispatch: record };
    }
    record.state = 'answered';
    this.#live.get(record.executor)?.delete(record);
    task.live.delete(dispatchId);
    if (task.completed) {
      this.#duplicates += 1;
      return { booking: 'duplicate', dispatch: record };
    }
    task.completed = true;
    task.acknowledged = true;
    this.#completed += 1;
    if (task.queued) {
      task.queued = false;
      this.#queue.splice(this.#queue.indexOf(taskId), 1);
    }
    return { booking: 'completed', dispatch: record };
  }

  /** The four numbers of the report (plus the totals they are read against). */
  accounting(): Accounting {
    let acknowledged = 0;
    for (const task of this.#tasks.values()) if (task.acknowledged) acknowledged += 1;
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
