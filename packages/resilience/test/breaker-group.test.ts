import { describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { BreakerGroup, BreakerOpenError, InvalidOptionsError, type BreakerStateChange } from '../src/index';

const temporary = (): Error => Object.assign(new Error('reset'), { code: 'ECONNRESET' });
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('BreakerGroup', () => {
  it('keeps one breaker per peer, so one dead peer does not block the others', async () => {
    const group = new BreakerGroup({ volumeThreshold: 3, resetTimeoutMs: 60_000 });
    const changes: BreakerStateChange[] = [];
    group.on('stateChange', (c) => changes.push(c));
    for (let i = 0; i < 3; i++) {
      await group
        .execute('dead-peer', async () => {
          throw temporary();
        })
        .catch(() => undefined);
    }
    expect(group.state('dead-peer')).toBe('open');
    expect(group.state('live-peer')).toBe('closed');
    await expect(group.execute('dead-peer', async () => 1)).rejects.toBeInstanceOf(BreakerOpenError);
    await expect(group.execute('live-peer', async () => 'ok')).resolves.toBe('ok');
    expect(changes).toEqual([{ key: 'dead-peer', from: 'closed', to: 'open' }]);
    expect(group.keys().sort()).toEqual(['dead-peer', 'live-peer']);
    group.close();
  });

  it('re-emits rejections, successes and failures with the key', async () => {
    const group = new BreakerGroup({ volumeThreshold: 1, errorThresholdPercentage: 10, resetTimeoutMs: 60_000 });
    const events: string[] = [];
    group.on('rejected', (e) => events.push(`rejected:${e.key}`));
    group.on('success', (e) => events.push(`success:${e.key}`));
    group.on('failure', (e) => events.push(`failure:${e.key}`));
    await group.execute('a', async () => 1);
    await group
      .execute('a', async () => {
        throw temporary();
      })
      .catch(() => undefined);
    await group.execute('a', async () => 1).catch(() => undefined);
    expect(events).toEqual(['success:a', 'failure:a', 'rejected:a']);
    group.close();
  });

  it('shares one timer among a thousand per-peer breakers', () => {
    const before = timers();
    const group = new BreakerGroup();
    for (let i = 0; i < 1_000; i++) group.get(`peer-${i}`);
    expect(timers() - before).toBeLessThanOrEqual(1);
    group.close();
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('does not get stuck half-open across many breakers', async () => {
    const group = new BreakerGroup({ volumeThreshold: 1, resetTimeoutMs: 20 });
    const keys = Array.from({ length: 50 }, (_, i) => `peer-${i}`);
    const halfOpen = new Set<string>();
    const allHalfOpen = new Promise<void>((resolve) => {
      group.on('stateChange', (c) => {
        if (c.to === 'half-open') halfOpen.add(c.key!);
        if (halfOpen.size === keys.length) resolve();
      });
    });
    for (const key of keys) {
      await group
        .execute(key, async () => {
          throw temporary();
        })
        .catch(() => undefined);
    }
    await allHalfOpen;
    await Promise.all(keys.map((key) => group.execute(key, async () => key)));
    expect(keys.every((key) => group.state(key) === 'closed')).toBe(true);
    group.close();
  });

  it('forgets a peer that left, and refuses calls after close', async () => {
    const group = new BreakerGroup();
    group.get('gone');
    expect(group.delete('gone')).toBe(true);
    expect(group.delete('gone')).toBe(false);
    expect(group.keys()).toEqual([]);
    group.close();
    group.close();
    await expect(group.execute('x', async () => 1)).rejects.toBeInstanceOf(BreakerOpenError);
  });

  it('validates its options and keys', async () => {
    expect(() => new BreakerGroup({ volumeThreshold: -3 })).toThrow(InvalidOptionsError);
    const group = new BreakerGroup();
    await expect(group.execute('', async () => 1)).rejects.toBeInstanceOf(InvalidOptionsError);
    group.close();
  });

  it('emits transitions that can be awaited', async () => {
    const group = new BreakerGroup({ volumeThreshold: 1, resetTimeoutMs: 10 });
    await group
      .execute('p', async () => {
        throw temporary();
      })
      .catch(() => undefined);
    const [change] = (await once(group, 'stateChange')) as [BreakerStateChange];
    expect(change).toEqual({ key: 'p', from: 'open', to: 'half-open' });
    group.close();
  });
});
