import { describe, expect, it } from '@jest/globals';
import {
  AbortedError,
  AgentlinkError,
  BreakerOpenError,
  BulkheadRejectedError,
  DeadlineExceededError,
  InvalidOptionsError,
  RetriesExhaustedError,
} from '../src/index';

const cause = new Error('root cause');
const table: Array<[AgentlinkError, string, string, boolean]> = [
  [new InvalidOptionsError('bad option'), 'InvalidOptionsError', 'ERR_INVALID_OPTIONS', false],
  [new BreakerOpenError('peer-7', cause), 'BreakerOpenError', 'ERR_BREAKER_OPEN', true],
  [new DeadlineExceededError(250), 'DeadlineExceededError', 'ERR_DEADLINE_EXCEEDED', true],
  [new BulkheadRejectedError(4, 8), 'BulkheadRejectedError', 'ERR_BULKHEAD_FULL', true],
  [new AbortedError(cause), 'AbortedError', 'ERR_ABORTED', false],
  [new RetriesExhaustedError(5, 'budget', cause), 'RetriesExhaustedError', 'ERR_RETRIES_EXHAUSTED', false],
];

describe('typed errors', () => {
  it.each(table)('%p has a name, a stable code and a classification', (error, name, code, retryable) => {
    expect(error).toBeInstanceOf(AgentlinkError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.message.length).toBeGreaterThan(5);
  });

  it('keeps the cause and typed fields', () => {
    expect(new BreakerOpenError('peer-7', cause).cause).toBe(cause);
    expect(new BreakerOpenError('peer-7').key).toBe('peer-7');
    expect(new BreakerOpenError(undefined).message).not.toContain('for "');
    const exhausted = new RetriesExhaustedError(5, 'attempts', cause);
    expect([exhausted.attempts, exhausted.reason, exhausted.cause]).toEqual([5, 'attempts', cause]);
    expect(new DeadlineExceededError(250).deadlineMs).toBe(250);
    expect(new InvalidOptionsError('x').cause).toBeUndefined();
  });
});
