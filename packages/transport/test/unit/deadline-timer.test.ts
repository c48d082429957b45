import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DeadlineTimer } from '../../src/session/deadline-timer';

describe('DeadlineTimer', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('fires at the earliest deadline it was told about and re-arms for the next one', () => {
    const deadlines = new Set<number>();
    const expired: number[] = [];
    const timer = new DeadlineTimer((now) => {
      let next = Infinity;
      for (const d of deadlines) {
        if (d <= now) {
          expired.push(d);
          deadlines.delete(d);
        } else next = Math.min(next, d);
      }
      return next;
    });
    const start = performance.now();
    for (const offset of [300, 100, 200]) {
      deadlines.add(start + offset);
      timer.schedule(start + offset);
    }
    jest.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(2);
    expect(expired).toEqual([start + 100]);
    jest.advanceTimersByTime(100);
    expect(expired).toEqual([start + 100, start + 200]);
    jest.advanceTimersByTime(100);
    expect(expired).toEqual([start + 100, start + 200, start + 300]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not re-arm for a later deadline, and stop() cancels', () => {
    const expire = jest.fn((now: number) => {
      void now;
      return Infinity;
    });
    const timer = new DeadlineTimer(expire);
    const start = performance.now();
    timer.schedule(start + 50);
    timer.schedule(start + 500);
    expect(jest.getTimerCount()).toBe(1);
    timer.stop();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(1000);
    expect(expire).not.toHaveBeenCalled();
    timer.schedule(Infinity);
    expect(jest.getTimerCount()).toBe(0);
    // A deadline beyond what setTimeout accepts is checked at the longest delay instead.
    timer.schedule(start + 2 ** 40);
    jest.advanceTimersByTime(2 ** 31);
    expect(expire).toHaveBeenCalledTimes(1);
  });
});
