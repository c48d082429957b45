import { describe, expect, it } from '@jest/globals';
import { InvalidOptionsError } from '@agentlink/resilience';
import { TaskLedger } from '../../src/ledger/task-ledger';

describe('TaskLedger', () => {
  it('books every task exactly once in dispatch order', () => {
    const ledger = new TaskLedger(['a', 'b', 'c']);
    const records = ['x', 'y', 'x'].map((executor, i) => ledger.dispatchNext(executor, i)!);
    expect(records.map((r) => r.taskId)).toEqual(['a', 'b', 'c']);
    expect(ledger.dispatchNext('y', 9)).toBeUndefined();
    for (const r of records) ledger.acknowledge(r.dispatchId);
    expect(ledger.outstanding('x')).toBe(2);
    expect(ledger.outstanding('nobody')).toBe(0);
    for (const r of records) expect(ledger.recordResult(r.dispatchId, r.taskId).booking).toBe('completed');
    expect(ledger.outstanding('x')).toBe(0);
    expect(ledger.outstanding('y')).toBe(0);
    expect(ledger.done).toBe(true);
    expect(ledger.completed).toBe(3);
    expect(ledger.accounting()).toEqual({
      tasks: 3,
      dispatches: 3,
      acknowledged: 3,
      completedOnce: 3,
      lost: 0,
      phantom: 0,
      unknownOutcome: 0,
      duplicates: 0,
    });
  });

  it('re-queues the tasks of a dead executor at the front and counts their outcome as unknown', () => {
    const ledger = new TaskLedger(['a', 'b', 'c']);
    const a = ledger.dispatchNext('dead', 0)!;
    ledger.acknowledge(a.dispatchId);
    expect(ledger.outstanding('dead')).toBe(1);
    expect(ledger.abandonExecutor('dead')).toBe(1);
    expect(ledger.outstanding('dead')).toBe(0);
    expect(ledger.abandonExecutor('dead')).toBe(0);
    expect(ledger.pending).toBe(3);
    const again = ledger.dispatchNext('alive', 1)!;
    expect(again.taskId).toBe('a');
    expect(again.dispatchId).not.toBe(a.dispatchId);
    expect(ledger.accounting().unknownOutcome).toBe(1);
    expect(ledger.abandon(a.dispatchId)).toBe(false);
  });

  it('counts a late result from the first executor once and the second result as a duplicate', () => {
    const ledger = new TaskLedger(['a']);
    const first = ledger.dispatchNext('slow', 0)!;
    ledger.abandon(first.dispatchId);
    const second = ledger.dispatchNext('fast', 1)!;
    expect(ledger.recordResult(first.dispatchId, 'a').booking).toBe('completed');
    expect(ledger.recordResult(second.dispatchId, 'a').booking).toBe('duplicate');
    expect(ledger.recordResult(second.dispatchId, 'a').booking).toBe('duplicate');
    const accounting = ledger.accounting();
    expect(accounting.completedOnce).toBe(1);
    expect(accounting.duplicates).toBe(2);
    expect(accounting.lost).toBe(0);
  });

  it('drops a re-queued task from the queue when a late result completes it', () => {
    const ledger = new TaskLedger(['a', 'b']);
    const first = ledger.dispatchNext('slow', 0)!;
    ledger.abandon(first.dispatchId);
    expect(ledger.pending).toBe(2);
    ledger.recordResult(first.dispatchId, 'a');
    expect(ledger.pending).toBe(1);
    expect(ledger.dispatchNext('x', 1)!.taskId).toBe('b');
  });

  it('counts results for tasks or dispatches never sent as phantoms', () => {
    const ledger = new TaskLedger(['a']);
    const record = ledger.dispatchNext('x', 0)!;
    expect(ledger.recordResult('nope#1', 'a').booking).toBe('phantom');
    expect(ledger.recordResult(record.dispatchId, 'zzz').booking).toBe('phantom');
    expect(ledger.accounting().phantom).toBe(2);
  });

  it('does not re-queue a refused dispatch as unknown, nor while another dispatch is live', () => {
    const ledger = new TaskLedger(['a']);
    const refused = ledger.dispatchNext('full', 0)!;
    ledger.abandon(refused.dispatchId, true);
    expect(ledger.accounting().unknownOutcome).toBe(0);
    const live = ledger.dispatchNext('ok', 1)!;
    expect(ledger.liveSentBefore(2).map((r) => r.dispatchId)).toEqual([live.dispatchId]);
    expect(ledger.liveSentBefore(1)).toEqual([]);
    ledger.acknowledge(live.dispatchId);
    ledger.acknowledge(live.dispatchId);
    expect(ledger.pending).toBe(0);
  });

  it('reports unfinished tasks as lost', () => {
    const ledger = new TaskLedger(['a', 'b']);
    ledger.dispatchNext('x', 0);
    expect(ledger.accounting()).toMatchObject({ lost: 2, acknowledged: 0, completedOnce: 0 });
  });

  it('refuses duplicate task ids', () => {
    expect(() => new TaskLedger(['a', 'a'])).toThrow(InvalidOptionsError);
  });

  it('takes tasks added while it runs, restored as booked, and dispatched out of queue order', () => {
    const ledger = new TaskLedger();
    ledger.restoreCompleted('done');
    ledger.add('a');
    ledger.add('b');
    expect(() => ledger.add('done')).toThrow(InvalidOptionsError);
    expect(ledger.size).toBe(3);
    expect(ledger.completed).toBe(1);
    expect(ledger.isQueued('done')).toBe(false);
    // A caller with its own order (the test run's longest first) picks b before a.
    const b = ledger.dispatchTask('b', 'x', 5)!;
    expect(ledger.dispatchTask('b', 'x', 5)).toBeUndefined();
    expect(ledger.pending).toBe(1);
    expect(ledger.live({ executor: 'x' })).toEqual([b]);
    expect(ledger.live({ sentBefore: 5 })).toEqual([]);
    expect(ledger.peek(b.dispatchId, 'b')).toBe('completed');
    expect(ledger.peek('nope#1', 'b')).toBe('phantom');
    expect(ledger.recordResult(b.dispatchId, 'b').booking).toBe('completed');
    expect(ledger.peek(b.dispatchId, 'b')).toBe('duplicate');
    expect(ledger.dispatchNext('y', 6)?.taskId).toBe('a');
    expect(ledger.dispatchNext('y', 6)).toBeUndefined();
  });
});
