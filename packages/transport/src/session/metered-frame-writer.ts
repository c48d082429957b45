import type { TransportEventEmitter } from '../events';
import { FRAME_HEADER_BYTES, type Frame, type FrameType } from '../frame/frame-codec';
import type { TransportKind } from '../types';
import type { FrameLink } from './frame-link';

/**
 * Writes a session's frames to its link and reports each message as a messageSent or
 * messageReceived event, so telemetry sees bytes per method without the session counting them.
 */
export class MeteredFrameWriter {
  constructor(
    private readonly link: FrameLink,
    private readonly events: TransportEventEmitter,
    private readonly transport: TransportKind,
    private readonly peerId: string,
  ) {}

  /** Resolves once the link took the frame; a frame counts as sent only then. */
  write(
    type: FrameType,
    id: number,
    payload: Uint8Array,
    method: string,
    flags = 0,
    prefix?: Uint8Array,
  ): Promise<void> {
    return this.link.send(type, id, payload, flags, prefix).then(() => this.sent(method, payload, prefix));
  }

  /**
   * Like write(), synchronously where the link can (TCP): undefined once the link took the frame,
   * or a promise that resolves when it drained; throws instead of rejecting.
   */
  writeNow(
    type: FrameType,
    id: number,
    payload: Uint8Array,
    method: string,
    flags = 0,
    prefix?: Uint8Array,
  ): Promise<void> | undefined {
    if (this.link.sendNow === undefined) return this.write(type, id, payload, method, flags, prefix);
    const drained = this.link.sendNow(type, id, payload, flags, prefix);
    if (drained === undefined) {
      this.sent(method, payload, prefix);
      return undefined;
    }
    return drained.then(() => this.sent(method, payload, prefix));
  }

  /** Reports a frame the peer sent for `method`. */
  received(method: string, frame: Frame): void {
    if (!this.events.has('messageReceived')) return;
    this.events.emit('messageReceived', {
      transport: this.transport,
      peer: this.peerId,
      method,
      bytes: FRAME_HEADER_BYTES + frame.payload.byteLength,
    });
  }

  private sent(method: string, payload: Uint8Array, prefix: Uint8Array | undefined): void {
    // Skips the size sum on the hot path when nobody listens.
    if (!this.events.has('messageSent')) return;
    const bytes = FRAME_HEADER_BYTES + (prefix?.byteLength ?? 0) + payload.byteLength;
    this.events.emit('messageSent', { transport: this.transport, peer: this.peerId, method, bytes });
  }
}
