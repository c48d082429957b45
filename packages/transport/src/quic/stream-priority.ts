import type { QuicheConnection } from './endpoint/native';
import type { QuicStream } from './endpoint/quic-stream';

/** RFC 9218's default urgency, for every stream of ours: the order comes from `incremental`. */
const URGENCY = 3;
/**
 * A stream that has carried this many bytes is bulk (a transfer, not a message), in one frame or
 * in the chunks of a `stream()` call. It is then sent round-robin with the other bulk streams,
 * after every message stream.
 */
export const BULK_STREAM_BYTES = 64 * 1024;

/**
 * Every stream starts as a message stream: quiche sends its bytes whole, in stream-id order,
 * before the next stream's (non-incremental). quiche's default is incremental, which is
 * round-robin over all streams. Under that default, 16 concurrent 4 KiB requests all ended at the
 * end of their burst. A window cut by a loss then delayed every one of them by a round trip,
 * where sending them in order delays only the last few (BENCHMARKS.md, "QUIC speed targets of
 * issue 14").
 */
export function sendAsMessage(native: QuicheConnection, streamId: number): void {
  setPriority(native, streamId, false);
}

/**
 * Counts what a stream writes. At BULK_STREAM_BYTES it turns incremental: quiche sends a
 * non-incremental stream of the same urgency first, so a transfer does not hold back the
 * messages written after it. A lane only ever carries small frames and stays a message stream.
 */
export function noteWrite(native: QuicheConnection, stream: QuicStream, bytes: number): void {
  if (stream.bulk || stream.lane) return;
  stream.writtenBytes += bytes;
  if (stream.writtenBytes < BULK_STREAM_BYTES) return;
  stream.bulk = true;
  setPriority(native, stream.id, true);
}

function setPriority(native: QuicheConnection, streamId: number, incremental: boolean): void {
  try {
    native.streamPriority(streamId, URGENCY, incremental);
  } catch {
    // The stream is already gone in quiche: there is nothing left of it to schedule.
  }
}
