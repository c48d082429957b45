import { describe, expect, it } from '@jest/globals';
import { ConnectionClosedError } from '../../src/errors';
import { TransportEventEmitter } from '../../src/events';
import { ChunkQueue } from '../../src/session/chunk-queue';
import { StreamCredit, INITIAL_STREAM_CREDIT } from '../../src/session/stream-credit';

describe('flow-control helpers', () => {
  it('StreamCredit waits for grants and fails waiters on cancel', async () => {
    const credit = new StreamCredit();
    await credit.take(INITIAL_STREAM_CREDIT);
    let released = false;
    const waiting = credit.take(10).then(() => {
      released = true;
    });
    credit.grant(5);
    await Promise.resolve();
    expect(released).toBe(false);
    credit.grant(5);
    await waiting;
    expect(released).toBe(true);
    const blocked = credit.take(INITIAL_STREAM_CREDIT);
    credit.cancel('done');
    await expect(blocked).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('ChunkQueue yields pushed chunks, reports consumption and propagates failure', async () => {
    const consumed: number[] = [];
    const queue = new ChunkQueue((n) => consumed.push(n));
    queue.push(new Uint8Array(3));
    setTimeout(() => {
      queue.push(new Uint8Array(4));
      queue.end();
      queue.push(new Uint8Array(5));
    }, 1);
    const sizes: number[] = [];
    for await (const chunk of queue) sizes.push(chunk.byteLength);
    expect(sizes).toEqual([3, 4]);
    expect(consumed).toEqual([3, 4]);
    const failing = new ChunkQueue(() => undefined);
    failing.fail(new Error('gone'));
    failing.push(new Uint8Array(1));
    await expect((async () => {
      for await (const _ of failing) void _;
    })()).rejects.toThrow('gone');
    queue.fail(new Error('after end is ignored'));
  });

  it('TransportEventEmitter isolates throwing listeners and forgets removed ones', () => {
    const emitter = new TransportEventEmitter();
    const seen: number[] = [];
    const throwing = (): void => {
      throw new Error('listener bug');
    };
    const counting = (e: { secondsLeft: number }): void => void seen.push(e.secondsLeft);
    emitter.on('certificateExpiry', throwing).on('certificateExpiry', counting);
    emitter.emit('certificateExpiry', { subject: 's', secondsLeft: 1 });
    emitter.off('certificateExpiry', throwing);
    expect(emitter.listenerCount('certificateExpiry')).toBe(1);
    emitter.off('certificateExpiry', counting);
    emitter.emit('certificateExpiry', { subject: 's', secondsLeft: 2 });
    expect(seen).toEqual([1]);
    expect(emitter.listenerCount('fallback')).toBe(0);
  });
});
