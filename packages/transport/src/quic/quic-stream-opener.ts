import type { QuicConnection } from './endpoint/quic-connection';
import { QuicStream } from './endpoint/quic-stream';
import { sendAsMessage } from './stream-priority';

const EMPTY = new Uint8Array(0);

interface Opener {
  resolve: (stream: QuicStream) => void;
  reject: (error: Error) => void;
}

/**
 * Opens our bidirectional streams within our concurrent-stream limit and the peer's stream
 * credit; callers beyond either wait, in order, until a stream of ours is freed or credit arrives.
 */
export class QuicStreamOpener {
  private readonly waiting: Opener[] = [];
  private localOpen = 0;
  private nextLocalId: number;

  constructor(
    private readonly connection: QuicConnection,
    private readonly maxFrameBytes: number,
    private readonly maxConcurrentStreams: number,
    /** The link's live streams: an opened stream is registered here. */
    private readonly streams: Map<number, QuicStream>,
    private readonly isFinished: () => boolean,
  ) {
    this.nextLocalId = connection.role === 'client' ? 0 : 1;
  }

  /** A new stream now if allowed and nobody is waiting ahead, else a promise of one. */
  open(): QuicStream | Promise<QuicStream> {
    const stream = this.waiting.length === 0 ? this.tryOpen() : undefined;
    if (stream !== undefined) return stream;
    return new Promise<QuicStream>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** A new stream now, or undefined without waiting (a slot or credit is missing, or others wait). */
  openNow(): QuicStream | undefined {
    return this.waiting.length === 0 ? this.tryOpen() : undefined;
  }

  /** A stream of ours was forgotten: its slot goes to the next waiter. */
  released(): void {
    this.localOpen -= 1;
    this.wake();
  }

  wake(): void {
    while (this.waiting.length > 0) {
      const stream = this.tryOpen();
      if (stream === undefined) return;
      this.waiting.shift()!.resolve(stream);
    }
  }

  rejectAll(error: Error): void {
    for (const opener of this.waiting.splice(0)) opener.reject(error);
  }

  /** Opens our next bidirectional stream if our limit and the peer's stream credit allow. */
  private tryOpen(): QuicStream | undefined {
    if (this.isFinished() || this.localOpen >= this.maxConcurrentStreams) return undefined;
    const native = this.connection.native;
    if (native.peerStreamsLeftBidi() === 0) return undefined;
    const id = this.nextLocalId;
    try {
      // A zero-length write opens the stream in quiche (and uses the credit) before any await.
      native.streamSend(id, EMPTY, false);
    } catch {
      return undefined; // StreamLimit: the id stays unused until the peer grants credit
    }
    this.nextLocalId += 4;
    this.localOpen += 1;
    sendAsMessage(native, id);
    const stream = new QuicStream(id, true, this.maxFrameBytes);
    this.streams.set(id, stream);
    return stream;
  }
}
