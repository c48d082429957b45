import { randomFillSync } from 'node:crypto';
import { CID_LENGTH } from './native';

/** A fresh random connection id of CID_LENGTH bytes (unguessable: it also keys our demux). */
export function randomConnectionId(): Buffer {
  return randomFillSync(Buffer.allocUnsafe(CID_LENGTH));
}

type Latin1Slice = (this: Buffer, start: number, end: number) => string;
/** Buffer's own latin1 decoder: in a profile of 64 B echoes toString('latin1', …) spent 7x more in its wrapper. */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;
const latin1 = (bytes: Buffer, start: number, end: number): string =>
  latin1Slice === undefined ? bytes.toString('latin1', start, end) : latin1Slice.call(bytes, start, end);

/**
 * Connection ids to their connection, for demultiplexing datagrams on one socket. A connection
 * may own several ids (a client's original destination id until it switches to ours); all of
 * them go when the connection does.
 */
export class ConnectionIdMap<T> {
  private readonly byId = new Map<string, T>();
  private readonly idsOf = new Map<T, string[]>();

  get size(): number {
    return this.idsOf.size;
  }

  get(id: Uint8Array): T | undefined {
    return this.byId.get(Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('latin1'));
  }

  /** The connection whose id is `datagram[start, end)`, without a view or header object per datagram. */
  getAt(datagram: Buffer, start: number, end: number): T | undefined {
    return this.byId.get(latin1(datagram, start, end));
  }

  add(id: Uint8Array, value: T): void {
    const key = Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('latin1');
    this.byId.set(key, value);
    const ids = this.idsOf.get(value);
    if (ids === undefined) this.idsOf.set(value, [key]);
    else ids.push(key);
  }

  /** Removes `value` and every id that leads to it. */
  delete(value: T): void {
    for (const key of this.idsOf.get(value) ?? []) {
      if (this.byId.get(key) === value) this.byId.delete(key);
    }
    this.idsOf.delete(value);
  }

  values(): IterableIterator<T> {
    return this.idsOf.keys();
  }
}
