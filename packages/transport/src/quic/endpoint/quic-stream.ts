import { QuicFrameReader } from '../quic-frame-reader';

/** Bytes handed to a stream that quiche has not taken yet (flow control), with their promise. */
export interface PendingWrite {
  readonly bytes: Uint8Array;
  offset: number;
  readonly fin: boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** quiche's stream-type bits (RFC 9000 §2.1). */
export const isUnidirectional = (streamId: number): boolean => (streamId & 0x2) !== 0;
export const isServerInitiated = (streamId: number): boolean => (streamId & 0x1) !== 0;

/** The peer reset its sending half: quiche throws `StreamReset(code)` from streamRecv. */
const messageOf = (error: unknown): string => (error as Error | undefined)?.message ?? '';
export const isStreamReset = (error: unknown): boolean => /StreamReset\(/.test(messageOf(error));
/** The peer asked us to stop sending: quiche throws `StreamStopped(code)` from streamSend. */
export const isStreamStopped = (error: unknown): boolean => /StreamStopped\(/.test(messageOf(error));

/**
 * One QUIC stream as the frame link sees it: the exchange it carries (known from its first
 * frame for a peer's stream), its frame reader, writes waiting for flow control, and whether
 * each direction has finished. The stream is forgotten when both have.
 */
export class QuicStream {
  /** Exchange id of the frames on this stream (0 for a control stream), once known. */
  exchange: number | undefined;
  readonly reader: QuicFrameReader;
  readonly pending: PendingWrite[] = [];
  /** Our half is finished: FIN handed to quiche (or queued), or reset. */
  localDone = false;
  /** The peer's half is finished: FIN read, or reset. */
  remoteDone = false;
  /** quiche refused a write (the peer sent STOP_SENDING, or the stream is gone): nothing more goes out. */
  rejected = false;
  /** Carries frames of many exchanges for the connection's lifetime (quic-lanes.ts). */
  lane = false;
  /** Bytes written so far (until the stream turns bulk). */
  writtenBytes = 0;
  /** Has carried 64 KiB or more, so quiche sends it round-robin with other bulk streams (stream-priority.ts). */
  bulk = false;

  constructor(
    readonly id: number,
    /** Opened by us (counts against our concurrent-stream limit). */
    readonly local: boolean,
    maxFrameBytes: number,
  ) {
    this.reader = new QuicFrameReader(maxFrameBytes);
  }

  get done(): boolean {
    return this.localDone && this.remoteDone && this.pending.length === 0;
  }

  /** Fails every queued write (the stream or connection is gone). */
  rejectPending(error: Error): void {
    for (const write of this.pending.splice(0)) write.reject(error);
  }
}
