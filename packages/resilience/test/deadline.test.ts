import { describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { AbortedError, deadlinePolicy, DeadlineExceededError, InvalidOptionsError, withDeadline } from '../src/index';

const never = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

describe('withDeadline', () => {
  it('returns the result when in time', async () => {
    await expect(withDeadline(async () => 42, 1_000)).resolves.toBe(42);
  });

  it('rejects with DeadlineExceededError and aborts the work when late', async () => {
    let workSignal: AbortSignal | undefined;
    const promise = withDeadline((signal) => {
      workSignal = signal;
      return never(signal);
    }, 20);
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).deadlineMs).toBe(20);
    expect(workSignal?.aborted).toBe(true);
  });

  it('answers with the fallback when late or failing', async () => {
    await expect(
      withDeadline(never, 10, { fallback: (e) => (e instanceof DeadlineExceededError ? 'late' : 'other') }),
    ).resolves.toBe('late');
    await expect(
      withDeadline(
        async () => {
          throw new Error('broken');
        },
        1_000,
        { fallback: () => 'fallback' },
      ),
    ).resolves.toBe('fallback');
  });

  it('passes failures through without a fallback', async () => {
    const error = new Error('broken');
    await expect(
      withDeadline(async () => {
        throw error;
      }, 1_000),
    ).rejects.toBe(error);
  });

  it('follows the caller abort signal, without using the fallback', async () => {
    const controller = new AbortController();
    const promise = withDeadline(never, 60_000, { signal: controller.signal, fallback: () => 'nope' });
    controller.abort();
    await expect(promise).rejects.toBeInstanceOf(AbortedError);
    const aborted = new AbortController();
    aborted.abort();
    await expect(withDeadline(async () => 1, 10, { signal: aborted.signal })).rejects.toBeInstanceOf(AbortedError);
  });

  it('turns a synchronous throw into a rejection', async () => {
    const fn = (() => {
      throw new TypeError('sync');
    }) as unknown as () => Promise<number>;
    await expect(withDeadline(fn, 100)).rejects.toBeInstanceOf(TypeError);
  });

  it('leaves no timer behind', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await withDeadline(async () => 1, 60_000);
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(after).toBeLessThanOrEqual(before);
  });

  it('rejects a bad deadline', async () => {
    await expect(withDeadline(async () => 1, 0)).rejects.toBeInstanceOf(InvalidOptionsError);
    expect(() => deadlinePolicy(-5)).toThrow(InvalidOptionsError);
  });

  it('works as a policy', async () => {
    const policy = deadlinePolicy(10);
    const emitter = new (await import('node:events')).EventEmitter();
    const pending = policy.execute(never);
    setImmediate(() => emitter.emit('tick'));
    await once(emitter, 'tick');
    await expect(pending).rejects.toBeInstanceOf(DeadlineExceededError);
  });
});
