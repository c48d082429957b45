import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ConnectionTimers } from '../../src/quic/endpoint/connection-timers';

/** Advances the fake clock, then runs the check phase, where a fired quiche timer calls onTimeout(). */
async function advance(ms: number): Promise<void> {
  jest.advanceTimersByTime(ms);
  await new Promise((resolve) => setImmediate(resolve));
}

describe('ConnectionTimers.arm (the timer from quiche timeout())', () => {
  beforeEach(() => {
    // setImmediate stays real: onTimeout() runs in a real check phase after the (fake) timer fires.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'clearImmediate'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const none = (): void => undefined;

  it('keeps the armed timer when the deadline only moves later (no re-arm per drain)', async () => {
    let fired = 0;
    const timers = new ConnectionTimers(() => (fired += 1), none, none);
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    timers.arm(10);
    for (let i = 0; i < 50; i += 1) timers.arm(30); // each drain pushes quiche's deadline later
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    await advance(10);
    expect(fired).toBe(1); // early, by quiche's clock: onTimeout() then does nothing and re-arms
    setTimeoutSpy.mockRestore();
    timers.stop();
  });

  it('moves the timer when the deadline comes earlier, and clears it for null', async () => {
    let fired = 0;
    const timers = new ConnectionTimers(() => (fired += 1), none, none);
    timers.arm(50);
    timers.arm(5);
    await advance(6);
    expect(fired).toBe(1);
    timers.arm(20);
    timers.arm(null);
    await advance(100);
    expect(fired).toBe(1);
    timers.stop();
    expect(jest.getTimerCount()).toBe(0);
  });
});
