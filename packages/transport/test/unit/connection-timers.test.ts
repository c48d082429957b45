import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ConnectionTimers } from '../../src/quic/endpoint/connection-timers';

describe('ConnectionTimers.arm (the timer from quiche timeout())', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const none = (): void => undefined;

  it('keeps the armed timer when the deadline only moves later (no re-arm per drain)', () => {
    let fired = 0;
    const timers = new ConnectionTimers(() => (fired += 1), none, none);
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    timers.arm(10);
    for (let i = 0; i < 50; i += 1) timers.arm(30); // each drain pushes quiche's deadline later
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(10);
    expect(fired).toBe(1); // early, by quiche's clock: onTimeout() then does nothing and re-arms
    setTimeoutSpy.mockRestore();
    timers.stop();
  });

  it('moves the timer when the deadline comes earlier, and clears it for null', () => {
    let fired = 0;
    const timers = new ConnectionTimers(() => (fired += 1), none, none);
    timers.arm(50);
    timers.arm(5);
    jest.advanceTimersByTime(6);
    expect(fired).toBe(1);
    timers.arm(20);
    timers.arm(null);
    jest.advanceTimersByTime(100);
    expect(fired).toBe(1);
    timers.stop();
    expect(jest.getTimerCount()).toBe(0);
  });
});
