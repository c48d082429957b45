import type { QuicConnection } from './endpoint/quic-connection';
import type { QuicheConnection } from './endpoint/native';
import type { QuicStream } from './endpoint/quic-stream';
import type { QuicStreamWriter } from './quic-stream-writer';

export const SHUTDOWN_READ = 0;
export const SHUTDOWN_WRITE = 1;

/** Up to this many streams, STOP_SENDING is looked for by probing each rather than listing. */
const PROBE_LIMIT = 64;

/**
 * A peer that cancels an exchange whose request it already sent in full can only say so with
 * STOP_SENDING; quiche lists such a stream as writable and a zero-length write reports it.
 */
export function probeStopSending(
  connection: QuicConnection,
  streams: ReadonlyMap<number, QuicStream>,
  writer: QuicStreamWriter,
): void {
  // A few streams: probe each (writable() costs ~40 µs through napi, a probe ~0.5 µs).
  if (streams.size <= PROBE_LIMIT) {
    // Not lanes: they carry no exchange of their own, and a stopped lane fails its next write.
    for (const s of streams.values()) if (!s.localDone && !s.lane && s.pending.length === 0) writer.probe(s);
    return;
  }
  for (const streamId of connection.native.writable()) {
    const stream = streams.get(streamId);
    if (stream === undefined || stream.localDone || stream.lane || stream.pending.length > 0) continue;
    writer.probe(stream);
  }
}

/** Stops one direction of a stream with `code`; a direction already finished has nothing to stop. */
export function shutdownStream(native: QuicheConnection, streamId: number, direction: number, code: number): void {
  try {
    native.streamShutdown(streamId, direction, code);
  } catch {
    // That direction is already finished (or was never open).
  }
}
