import { ConnectionClosedError } from '../errors';
import type { QuicConnection } from './endpoint/quic-connection';
import { isStreamStopped, type PendingWrite, type QuicStream } from './endpoint/quic-stream';
import { noteWrite } from './stream-priority';

const EMPTY = new Uint8Array(0);

/**
 * The frame link's write path: hands bytes to quiche straight away when flow control allows, and
 * otherwise queues them on their stream (blocked) until a later event frees capacity.
 */
export class QuicStreamWriter {
  private readonly blocked = new Set<QuicStream>();

  constructor(
    private readonly connection: QuicConnection,
    /** The connection is gone: a write that cannot complete now never will. */
    private readonly isFinished: () => boolean,
    /** Forgets the stream if both its directions are finished. */
    private readonly settle: (stream: QuicStream) => void,
    /** The peer sent STOP_SENDING for the stream of an exchange. */
    private readonly peerCancelled: (stream: QuicStream) => void,
  ) {}

  write(stream: QuicStream, bytes: Uint8Array, fin: boolean): Promise<void> | undefined {
    if (stream.localDone) throw new ConnectionClosedError('the stream of this exchange is already finished');
    if (fin) stream.localDone = true;
    noteWrite(this.connection.native, stream, bytes.byteLength);
    if (stream.pending.length === 0) {
      const written = this.sendSome(stream, bytes, 0, fin);
      if (written === bytes.byteLength && written !== -1) {
        this.connection.scheduleFlush();
        this.settle(stream);
        return undefined;
      }
      if (this.isFinished() || stream.rejected) throw new ConnectionClosedError('the peer stopped this exchange');
      return this.enqueue(stream, bytes, Math.max(0, written), fin);
    }
    return this.enqueue(stream, bytes, 0, fin);
  }

  /** Queued writes get another chance (after every connection event). */
  drainBlocked(): void {
    for (const stream of this.blocked) this.drainPending(stream);
  }

  /** A zero-length write: quiche reports a STOP_SENDING from the peer only when we write. */
  probe(stream: QuicStream): void {
    this.sendSome(stream, EMPTY, 0, false);
  }

  /** The stream was aborted: its queued writes are no longer ours to retry. */
  forget(stream: QuicStream): void {
    this.blocked.delete(stream);
  }

  clear(): void {
    this.blocked.clear();
  }

  private enqueue(stream: QuicStream, bytes: Uint8Array, offset: number, fin: boolean): Promise<void> {
    this.blocked.add(stream);
    this.connection.scheduleFlush();
    return new Promise<void>((resolve, reject) => stream.pending.push({ bytes, offset, fin, resolve, reject }));
  }

  /** Hands bytes to quiche: how many it took, -1 if it took none (no capacity) or the stream failed. */
  private sendSome(stream: QuicStream, bytes: Uint8Array, offset: number, fin: boolean): number {
    try {
      const chunk = offset === 0 ? bytes : bytes.subarray(offset);
      const taken = this.connection.native.streamSend(stream.id, chunk, fin);
      if (taken !== null && (taken > 0 || fin)) this.connection.queuedStreamData();
      return taken === null ? -1 : offset + taken;
    } catch (error) {
      this.writeFailed(stream, error);
      return -1;
    }
  }

  private drainPending(stream: QuicStream): void {
    while (stream.pending.length > 0) {
      const write = stream.pending[0] as PendingWrite;
      const offset = this.sendSome(stream, write.bytes, write.offset, write.fin);
      if (stream.rejected) return;
      if (offset < write.bytes.byteLength || offset === -1) {
        if (offset > write.offset) write.offset = offset;
        return;
      }
      stream.pending.shift();
      write.resolve();
    }
    this.blocked.delete(stream);
    this.connection.scheduleFlush();
    this.settle(stream);
  }

  /** streamSend threw: STOP_SENDING from the peer (it cancelled) or a stream quiche already closed. */
  private writeFailed(stream: QuicStream, error: unknown): void {
    stream.rejected = true;
    stream.localDone = true;
    stream.rejectPending(new ConnectionClosedError('the peer stopped this exchange'));
    this.blocked.delete(stream);
    if (isStreamStopped(error)) this.peerCancelled(stream);
    this.settle(stream);
  }
}
