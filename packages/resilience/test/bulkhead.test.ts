import { describe, expect, it } from '@jest/globals';
import { AbortedError, Bulkhead, BulkheadRejectedError, InvalidOptionsError } from '../src/index';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('Bulkhead', () => {
  it('rejects the call beyond limit plus queue with a typed error, without running it', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueue: 1 });
    const g = gate();
    const running = [bulkhead.execute(() => g.promise), bulkhead.execute(() => g.promise)];
    const queued = bulkhead.execute(async () => 'queued');
    let ran = false;
    const rejected = bulkhead.execute(async () => {
      ran = true;
    });
    await expect(rejected).rejects.toBeInstanceOf(BulkheadRejectedError);
    expect(ran).toBe(false);
    expect([bulkhead.running, bulkhead.queued]).toEqual([2, 1]);
    g.open();
    await Promise.all(running);
    await expect(queued).resolves.toBe('queued');
    expect([bulkhead.running, bulkhead.queued]).toEqual([0, 0]);
  });

  it('runs queued calls in order', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 10 });
    const order: number[] = [];
    const g = gate();
    const first = bulkhead.execute(async () => {
      await g.promise;
      order.push(0);
    });
    const rest = [1, 2, 3, 4, 5].map((n) => bulkhead.execute(async () => void order.push(n)));
    g.open();
    await Promise.all([first, ...rest]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('frees the slot when a call fails', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 });
    await expect(
      bulkhead.execute(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(bulkhead.execute(async () => 'next')).resolves.toBe('next');
  });

  it('removes an aborted call from the queue', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 2 });
    const g = gate();
    const first = bulkhead.execute(() => g.promise);
    const controller = new AbortController();
    const waiting = bulkhead.execute(async () => 'never', controller.signal);
    expect(bulkhead.queued).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    expect(bulkhead.queued).toBe(0);
    g.open();
    await first;
    const aborted = new AbortController();
    aborted.abort();
    await expect(bulkhead.execute(async () => 1, aborted.signal)).rejects.toBeInstanceOf(AbortedError);
  });

  it.each([[{ maxConcurrent: 0 }], [{ maxConcurrent: 1.5 }], [{ maxConcurrent: 1, maxQueue: -1 }]])(
    'rejects bad options %p',
    (options) => {
      expect(() => new Bulkhead(options)).toThrow(InvalidOptionsError);
    },
  );
});
