import { describe, expect, it, jest } from '@jest/globals';
import {
  AbortedError,
  constantBackoff,
  InvalidOptionsError,
  retry,
  retryPolicy,
  RetriesExhaustedError,
  type AttemptReport,
  type Backoff,
} from '../src/index';

const temporary = (): Error => Object.assign(new Error('reset'), { code: 'ECONNRESET' });
const permanent = (): Error => Object.assign(new Error('expired'), { code: 'CERT_HAS_EXPIRED' });

describe('retry', () => {
  it('returns the first success', async () => {
    let calls = 0;
    const result = await retry(
      async ({ attempt }) => {
        calls++;
        if (attempt < 3) throw temporary();
        return 'ok';
      },
      { maxAttempts: 5, backoff: constantBackoff(1) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('stops at once on a permanent error and rethrows it unchanged', async () => {
    const error = permanent();
    const fn = jest.fn(async () => {
      throw error;
    });
    await expect(retry(fn, { maxAttempts: 5, backoff: constantBackoff(1) })).rejects.toBe(error);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('gives up after maxAttempts with the last error as cause', async () => {
    let calls = 0;
    const last = temporary();
    const promise = retry(
      async () => {
        calls++;
        throw calls === 4 ? last : temporary();
      },
      { maxAttempts: 4, backoff: constantBackoff(1) },
    );
    await expect(promise).rejects.toBeInstanceOf(RetriesExhaustedError);
    const error = (await promise.catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(error.attempts).toBe(4);
    expect(error.reason).toBe('attempts');
    expect(error.cause).toBe(last);
    expect(calls).toBe(4);
  });

  it('uses the backoff it was given, passing the previous delay', async () => {
    const calls: Array<[number, number | undefined]> = [];
    const backoff: Backoff = {
      delay(attempt, previous) {
        calls.push([attempt, previous]);
        return attempt * 2;
      },
    };
    const reports: AttemptReport[] = [];
    await expect(
      retry(
        async () => {
          throw temporary();
        },
        { maxAttempts: 4, backoff, onAttempt: (r) => reports.push(r) },
      ),
    ).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(calls).toEqual([
      [1, undefined],
      [2, 2],
      [3, 4],
    ]);
    expect(reports.map((r) => r.nextDelayMs)).toEqual([2, 4, 6, undefined]);
    expect(reports.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    expect(reports.every((r) => r.classification.retryable)).toBe(true);
  });

  it('honours the time budget instead of sleeping past it', async () => {
    let calls = 0;
    const promise = retry(
      async () => {
        calls++;
        throw temporary();
      },
      { maxAttempts: 100, budgetMs: 50, backoff: constantBackoff(30) },
    );
    const error = (await promise.catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.reason).toBe('budget');
    expect(calls).toBeLessThanOrEqual(2);
  });

  it('aborts a wait between attempts when the signal fires', async () => {
    const controller = new AbortController();
    let calls = 0;
    const promise = retry(
      async () => {
        calls++;
        queueMicrotask(() => controller.abort(new Error('shutting down')));
        throw temporary();
      },
      { maxAttempts: 10, backoff: constantBackoff(60_000), signal: controller.signal },
    );
    await expect(promise).rejects.toBeInstanceOf(AbortedError);
    expect(calls).toBe(1);
  });

  it('does not start when already aborted, and passes the signal to the attempt', async () => {
    const controller = new AbortController();
    controller.abort();
    const fn = jest.fn(async () => 'never');
    await expect(retry(fn, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(fn).not.toHaveBeenCalled();

    const live = new AbortController();
    let seen: AbortSignal | undefined;
    await retry(
      async ({ signal }) => {
        seen = signal;
      },
      { signal: live.signal },
    );
    expect(seen).toBe(live.signal);
  });

  it('reports an abort that happens during an attempt as AbortedError', async () => {
    const controller = new AbortController();
    await expect(
      retry(
        async () => {
          controller.abort();
          throw temporary();
        },
        { signal: controller.signal },
      ),
    ).rejects.toBeInstanceOf(AbortedError);
  });

  it('accepts a custom classifier', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw permanent();
        },
        {
          maxAttempts: 3,
          backoff: constantBackoff(1),
          classify: () => ({ retryable: true, reason: 'custom', peerFailure: true }),
        },
      ),
    ).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(calls).toBe(3);
  });

  it.each([[{ maxAttempts: 0 }], [{ maxAttempts: 1.5 }], [{ budgetMs: 0 }], [{ budgetMs: Number.NaN }]])(
    'rejects bad options %p',
    async (options) => {
      await expect(retry(async () => 1, options)).rejects.toBeInstanceOf(InvalidOptionsError);
      expect(() => retryPolicy(options)).toThrow(InvalidOptionsError);
    },
  );

  it('works as a policy', async () => {
    let calls = 0;
    const policy = retryPolicy({ maxAttempts: 3, backoff: constantBackoff(1) });
    const result = await policy.execute(async () => {
      calls++;
      if (calls === 1) throw temporary();
      return calls;
    });
    expect(result).toBe(2);
  });
});
