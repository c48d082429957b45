import { FLAG_STREAMING, FrameType, methodPrefix } from '../frame/frame-codec';
import type { FrameLink } from './frame-link';
import type { MeteredFrameWriter } from './metered-frame-writer';
import type { StreamCredit } from './stream-credit';

const EMPTY = new Uint8Array(0);

/** One streamed request this side sends. */
export interface StreamUpload {
  readonly id: number;
  readonly method: string;
  readonly chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  readonly credit: StreamCredit;
  readonly maxFrameBytes: number;
  /** False once the request settled (answered early, timed out, cancelled): stop sending. */
  readonly isPending: () => boolean;
}

/** Sends the request's chunks in frames of at most maxFrameBytes, paced by the receiver's credit. */
export async function sendStreamedRequest(
  link: FrameLink,
  writer: MeteredFrameWriter,
  upload: StreamUpload,
): Promise<void> {
  const { id, method, maxFrameBytes } = upload;
  await writer.write(FrameType.Request, id, EMPTY, method, FLAG_STREAMING, methodPrefix(method));
  for await (const chunk of upload.chunks) {
    for (let offset = 0; offset < chunk.byteLength; offset += maxFrameBytes) {
      if (!upload.isPending()) return;
      const piece = chunk.subarray(offset, offset + maxFrameBytes);
      await upload.credit.take(piece.byteLength);
      await writer.write(FrameType.StreamData, id, piece, method);
    }
  }
  if (upload.isPending()) await link.send(FrameType.StreamEnd, id, EMPTY);
}
