import type { Frame, FrameType } from '../frame/frame-codec';

/**
 * What a session needs from a secured byte channel: send frames by exchange id, learn about
 * incoming frames and about the channel closing. TCP multiplexes every exchange over one TLS
 * socket; QUIC maps each exchange id to its own stream.
 */
export interface FrameLink {
  /**
   * Sends a frame whose payload is `prefix` (if any) followed by `payload`; resolves once the
   * socket or stream accepted it (this is the backpressure).
   */
  send(type: FrameType, id: number, payload: Uint8Array, flags?: number, prefix?: Uint8Array): Promise<void>;
  /**
   * Optional synchronous send(), for links that write at once (TCP): returns undefined when the
   * channel accepted the frame, or a promise that resolves once it drained (backpressure); throws
   * what send() would reject with. Saves the request path a promise and a callback per frame.
   */
  sendNow?(
    type: FrameType,
    id: number,
    payload: Uint8Array,
    flags?: number,
    prefix?: Uint8Array,
  ): Promise<void> | undefined;
  /** This side will send nothing more on exchange `id` (QUIC closes its half of the stream). */
  finish(id: number): void;
  /** Cancels exchange `id` (TCP sends a Cancel frame, QUIC resets the stream). */
  reset(id: number): void;
  /** Closes the channel; idempotent. */
  close(reason: string): Promise<void>;
  /** Set by the session: called for every decoded frame. */
  onFrame: (frame: Frame) => void;
  /** Set by the session: called once when the channel is gone; `error` is the typed cause, if any. */
  onClose: (reason: string, error?: Error) => void;
}
