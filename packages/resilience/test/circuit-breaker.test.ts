import { afterEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import {
  AbortedError,
  BreakerOpenError,
  CircuitBreaker,
  InvalidOptionsError,
  type BreakerStateChange,
  type CircuitBreakerOptions,
} from '../src/index';

const temporary = (): Error => Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
const permanent = (): Error => Object.assign(new Error('bad input'), { code: 'ERR_VALIDATION', retryable: false });
const fail = (error: Error) => async (): Promise<never> => {
  throw error;
};

const breakers: CircuitBreaker[] = [];
function makeBreaker(options: CircuitBreakerOptions = {}): { breaker: CircuitBreaker; changes: BreakerStateChange[] } {
  const breaker = new CircuitBreaker({ key: 'peer-1', volumeThreshold: 4, resetTimeoutMs: 30, ...options });
  const changes: BreakerStateChange[] = [];
  breaker.on('stateChange', (change) => changes.push(change));
  breakers.push(breaker);
  return { breaker, changes };
}

async function trip(breaker: CircuitBreaker, calls = 4): Promise<void> {
  for (let i = 0; i < calls; i++) await breaker.execute(fail(temporary())).catch(() => undefined);
}

afterEach(() => {
  for (const breaker of breakers.splice(0)) breaker.close();
});

describe('CircuitBreaker', () => {
  it('stays closed below the volume threshold', async () => {
    const { breaker } = makeBreaker({ volumeThreshold: 10 });
    await trip(breaker, 9);
    expect(breaker.state).toBe('closed');
  });

  it('opens when infrastructure failures pass the threshold', async () => {
    const { breaker, changes } = makeBreaker();
    await trip(breaker);
    expect(breaker.state).toBe('open');
    expect(changes).toEqual([{ key: 'peer-1', from: 'closed', to: 'open' }]);
  });

  it('rejects calls while open with a typed error, without running them, and says so', async () => {
    const { breaker } = makeBreaker({ resetTimeoutMs: 60_000 });
    await trip(breaker);
    const rejected: unknown[] = [];
    breaker.on('rejected', (e) => rejected.push(e));
    let ran = false;
    const error = await breaker
      .execute(async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BreakerOpenError);
    expect((error as BreakerOpenError).key).toBe('peer-1');
    expect(ran).toBe(false);
    expect(rejected).toEqual([{ key: 'peer-1' }]);
  });

  it('goes half-open after the reset timeout and closes on a successful trial', async () => {
    const { breaker, changes } = makeBreaker();
    await trip(breaker);
    await once(breaker, 'stateChange');
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(async () => 'trial')).resolves.toBe('trial');
    expect(breaker.state).toBe('closed');
    expect(changes.map((c) => c.to)).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the half-open trial fails', async () => {
    const { breaker, changes } = makeBreaker();
    await trip(breaker);
    await once(breaker, 'stateChange');
    await expect(breaker.execute(fail(temporary()))).rejects.toThrow('refused');
    expect(breaker.state).toBe('open');
    expect(changes.map((c) => c.to)).toEqual(['open', 'half-open', 'open']);
  });

  // The caller's own abort (any error) and an AbortedError from the call both say nothing about the peer.
  it.each([
    ['aborted by its caller', true, () => new DOMException('stopped', 'AbortError')],
    ['ended by an AbortedError', false, () => new AbortedError('gave up')],
  ])('goes back to open, not closed, when the half-open trial is %s', async (_case, callerAborts, error) => {
    const { breaker, changes } = makeBreaker();
    await trip(breaker);
    await once(breaker, 'stateChange');
    const caller = new AbortController();
    const thrown = error();
    const trial = breaker.execute(
      (signal) =>
        new Promise<never>((_resolve, reject) => {
          if (callerAborts) signal.addEventListener('abort', () => reject(thrown));
          else reject(thrown);
        }),
      caller.signal,
    );
    if (callerAborts) caller.abort();
    await expect(trial).rejects.toBe(thrown);
    expect(breaker.state).toBe('open');
    expect(changes.map((c) => c.to)).toEqual(['open', 'half-open', 'open']);
    await once(breaker, 'stateChange');
    await expect(breaker.execute(async () => 'next trial')).resolves.toBe('next trial');
    expect(breaker.state).toBe('closed');
  });

  it('lets only one trial call through while half-open', async () => {
    const { breaker } = makeBreaker();
    await trip(breaker);
    await once(breaker, 'stateChange');
    let release!: () => void;
    const trial = breaker.execute(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(breaker.execute(async () => 'second')).rejects.toBeInstanceOf(BreakerOpenError);
    release();
    await trial;
    expect(breaker.state).toBe('closed');
  });

  it('is not tripped by permanent (filtered) errors, which still reach the caller', async () => {
    const { breaker } = makeBreaker();
    const error = permanent();
    for (let i = 0; i < 20; i++) await expect(breaker.execute(fail(error))).rejects.toBe(error);
    expect(breaker.state).toBe('closed');
  });

  it('is opened by refused certificates (permanent, but the peer failing), which are not retried', async () => {
    const { breaker } = makeBreaker();
    const refused = (): Error => Object.assign(new Error('unknown CA'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    let calls = 0;
    const call = async (): Promise<never> => {
      calls += 1;
      throw refused();
    };
    for (let i = 0; i < 4; i++)
      await expect(breaker.execute(call)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(breaker.state).toBe('open');
    await expect(breaker.execute(call)).rejects.toBeInstanceOf(BreakerOpenError);
    expect(calls).toBe(4);
  });

  it('counts what a custom isFailure says', async () => {
    const { breaker } = makeBreaker({ isFailure: () => true });
    await trip(breaker);
    for (let i = 0; i < 4; i++) await breaker.execute(fail(permanent())).catch(() => undefined);
    expect(breaker.state).toBe('open');
  });

  it('emits success and failure with latency', async () => {
    const { breaker } = makeBreaker();
    const seen: string[] = [];
    breaker.on('success', (e) => seen.push(`success:${e.key}:${typeof e.latencyMs}`));
    breaker.on('failure', (e) => seen.push(`failure:${e.key}:${(e.error as Error).message}`));
    await breaker.execute(async () => 1);
    await breaker.execute(fail(temporary())).catch(() => undefined);
    expect(seen).toEqual(['success:peer-1:number', 'failure:peer-1:refused']);
  });

  it('passes the abort signal to the call and refuses a call already aborted', async () => {
    const { breaker } = makeBreaker();
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    await breaker.execute(async (signal) => {
      seen = signal;
    }, controller.signal);
    expect(seen).toBe(controller.signal);
    controller.abort();
    await expect(breaker.execute(async () => 1, controller.signal)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it('can be opened by hand', () => {
    const { breaker } = makeBreaker({ resetTimeoutMs: 60_000 });
    breaker.open();
    expect(breaker.state).toBe('open');
  });

  it('rejects every call after close and holds no timers', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const breaker = new CircuitBreaker({ volumeThreshold: 1, resetTimeoutMs: 60_000 });
    await breaker.execute(fail(temporary())).catch(() => undefined);
    expect(breaker.state).toBe('open');
    breaker.close();
    await expect(breaker.execute(async () => 1)).rejects.toBeInstanceOf(BreakerOpenError);
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(after).toBeLessThanOrEqual(before);
  });

  it.each([
    [{ errorThresholdPercentage: 150 }],
    [{ volumeThreshold: -1 }],
    [{ volumeThreshold: 2.5 }],
    [{ resetTimeoutMs: 0 }],
    [{ rollingWindowMs: Number.NaN }],
    [{ rollingBuckets: 0 }],
  ])('rejects bad options %p', (options) => {
    expect(() => new CircuitBreaker(options)).toThrow(InvalidOptionsError);
  });
});
