import { describe, expect, it } from '@jest/globals';
import { ReadableStreams, type StreamReadiness } from '../../src/quic/endpoint/readable-streams';

/** quiche's readiness calls over a set of streams with unread data, recording every call (each is a napi crossing). */
function readiness(unread: Set<number>): StreamReadiness & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    streamReadable: (id: number) => {
      calls.push(`streamReadable(${id})`);
      return unread.has(id);
    },
    isReadable: () => {
      calls.push('isReadable');
      return unread.size > 0;
    },
    readable: () => {
      calls.push('readable');
      return [...unread] as unknown as ReturnType<StreamReadiness['readable']>;
    },
  };
}

/** A handler that reads each stream it is given to the end. */
function visitAll(streams: ReadableStreams, native: StreamReadiness, unread: Set<number>, open: Map<number, unknown>) {
  const delivered: number[] = [];
  streams.visit(native, open, (id) => {
    delivered.push(id);
    unread.delete(id);
  }, () => false);
  return delivered;
}

describe('ReadableStreams (which streams quiche holds data for, in few napi calls)', () => {
  it("finds the peer's new stream, then asks for the stream read last first (a lane: 2 calls per datagram)", () => {
    const streams = new ReadableStreams('server');
    const open = new Map<number, unknown>();
    const unread = new Set([0]);
    const first = readiness(unread);
    expect(visitAll(streams, first, unread, open)).toEqual([0]);
    open.set(0, {});

    unread.add(0);
    const next = readiness(unread);
    expect(visitAll(streams, next, unread, open)).toEqual([0]);
    expect(next.calls).toEqual(['streamReadable(0)', 'isReadable']);
  });

  it('reads the other streams with data after the last one, each once', () => {
    const streams = new ReadableStreams('client');
    const open = new Map<number, unknown>([[0, {}], [4, {}], [8, {}]]);
    const unread = new Set([4]);
    visitAll(streams, readiness(unread), unread, open);
    unread.add(0).add(4).add(8);
    expect(visitAll(streams, readiness(unread), unread, open)).toEqual([4, 0, 8]);
  });

  it('costs one streamReadable and one isReadable when a datagram brought no stream data', () => {
    const streams = new ReadableStreams('server');
    const open = new Map<number, unknown>([[0, {}]]);
    const unread = new Set([0]);
    visitAll(streams, readiness(unread), unread, open);
    const native = readiness(unread);
    expect(visitAll(streams, native, unread, open)).toEqual([]);
    expect(native.calls).toEqual(['streamReadable(0)', 'isReadable']);
  });

  it('falls back to the list for a stream it cannot guess (a unidirectional one) and stops when told to', () => {
    const streams = new ReadableStreams('server');
    const unread = new Set([2, 6]);
    const native = readiness(unread);
    const delivered: number[] = [];
    streams.visit(native, new Map(), (id) => void delivered.push(id), () => delivered.length === 1);
    expect(native.calls).toContain('readable');
    expect(delivered).toEqual([2]);
  });
});
