import { describe, expect, it } from '@jest/globals';
import {
  BreakerOpenError,
  CircuitBreaker,
  constantBackoff,
  deadlinePolicy,
  DeadlineExceededError,
  retryPolicy,
  RetriesExhaustedError,
  wrap,
  type Policy,
} from '../src/index';

const temporary = (): Error => Object.assign(new Error('reset'), { code: 'ECONNRESET' });

function recording(name: string, log: string[]): Policy {
  return {
    async execute(fn, signal) {
      log.push(`enter:${name}`);
      try {
        return await fn(signal ?? new AbortController().signal);
      } finally {
        log.push(`leave:${name}`);
      }
    },
  };
}

describe('wrap', () => {
  it('composes outermost first', async () => {
    const log: string[] = [];
    const result = await wrap(recording('a', log), recording('b', log), recording('c', log)).execute(async () => {
      log.push('call');
      return 7;
    });
    expect(result).toBe(7);
    expect(log).toEqual(['enter:a', 'enter:b', 'enter:c', 'call', 'leave:c', 'leave:b', 'leave:a']);
  });

  it('sends every retry attempt through the breaker, and stops retrying once it opens', async () => {
    const breaker = new CircuitBreaker({ volumeThreshold: 3, resetTimeoutMs: 60_000 });
    let calls = 0;
    const policy = wrap(deadlinePolicy(5_000), retryPolicy({ maxAttempts: 10, backoff: constantBackoff(1) }), breaker);
    const error = await policy
      .execute(async () => {
        calls++;
        throw temporary();
      })
      .catch((e: unknown) => e);
    // Three real calls open the breaker; the attempts after that are rejected without running.
    expect(calls).toBe(3);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).cause).toBeInstanceOf(BreakerOpenError);
    breaker.close();
  });

  it('bounds the whole retried call with one deadline', async () => {
    const policy = wrap(deadlinePolicy(40), retryPolicy({ maxAttempts: 1_000, backoff: constantBackoff(10) }));
    let calls = 0;
    const error = await policy
      .execute(async () => {
        calls++;
        throw temporary();
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(calls).toBeLessThan(1_000);
  });

  it('with no policies just runs the function', async () => {
    await expect(wrap().execute(async () => 'bare')).resolves.toBe('bare');
  });
});
