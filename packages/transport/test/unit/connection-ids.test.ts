import { describe, expect, it } from '@jest/globals';
import { ConnectionIdMap, randomConnectionId } from '../../src/quic/endpoint/connection-ids';
import { CID_LENGTH } from '../../src/quic/endpoint/native';

describe('ConnectionIdMap', () => {
  it('finds a connection by the id bytes at an offset of a datagram (the short-header fast path)', () => {
    const map = new ConnectionIdMap<string>();
    const ours = randomConnectionId();
    const other = randomConnectionId();
    map.add(ours, 'a');
    map.add(other, 'b');
    const datagram = Buffer.concat([Buffer.from([0x40]), ours, Buffer.alloc(30, 0xee)]);
    expect(map.getAt(datagram, 1, 1 + CID_LENGTH)).toBe('a');
    expect(map.get(datagram.subarray(1, 1 + CID_LENGTH))).toBe('a');
    datagram[5] = (datagram[5] as number) ^ 0xff; // one byte off: not ours
    expect(map.getAt(datagram, 1, 1 + CID_LENGTH)).toBeUndefined();
  });

  it('ids with bytes above 0x7f stay distinct (latin1 keys, one byte per character)', () => {
    const map = new ConnectionIdMap<number>();
    // Both would decode to the same replacement characters as UTF-8.
    const high = Buffer.alloc(CID_LENGTH, 0xff);
    const low = Buffer.alloc(CID_LENGTH, 0xfe);
    map.add(high, 1);
    map.add(low, 2);
    expect(map.getAt(Buffer.concat([Buffer.from([0]), high]), 1, 1 + CID_LENGTH)).toBe(1);
    expect(map.getAt(Buffer.concat([Buffer.from([0]), low]), 1, 1 + CID_LENGTH)).toBe(2);
  });

  it('forgets every id of a connection when it is deleted', () => {
    const map = new ConnectionIdMap<string>();
    const first = randomConnectionId();
    const second = randomConnectionId();
    map.add(first, 'c');
    map.add(second, 'c');
    map.delete('c');
    expect(map.size).toBe(0);
    expect(map.getAt(Buffer.concat([Buffer.from([0]), first]), 1, 1 + CID_LENGTH)).toBeUndefined();
    expect(map.get(second)).toBeUndefined();
  });
});
