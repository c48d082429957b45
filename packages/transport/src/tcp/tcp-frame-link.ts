import type { TLSSocket } from 'node:tls';
import { FrameDecoder, FrameType, encodeFrame, encodeFrameHeader, type Frame } from '../frame/frame-codec';
import type { FrameError } from '../errors';
import { ConnectionClosedError } from '../errors';
import type { FrameLink } from '../session/frame-link';
import { mapTlsError } from '../security/tls-error-mapping';

const EMPTY = new Uint8Array(0);
/** Payloads from this size on are written without copying them into the frame buffer. */
const ZERO_COPY_BYTES = 4096;

/** Every exchange of a connection multiplexed as frames over one TLS 1.3 socket. */
export class TcpFrameLink implements FrameLink {
  onFrame: (frame: Frame) => void = () => undefined;
  onClose: (reason: string, error?: Error) => void = () => undefined;

  private readonly decoder: FrameDecoder;
  private drain: Promise<void> | undefined;
  private closing = false;
  private closeError: Error | undefined;
  private closeReason = 'peer closed the connection';
  private readonly closed: Promise<void>;

  constructor(
    private readonly socket: TLSSocket,
    private readonly maxFrameBytes: number,
  ) {
    // node:net hands out a fresh buffer per 'data' event, so frames may point into it.
    this.decoder = new FrameDecoder(maxFrameBytes, false);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => this.receiveEnd());
    socket.on('error', (error: Error) => {
      this.closeError ??= mapTlsError(error, `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`);
      this.closeReason = `error: ${(this.closeError as Error & { code: string }).code}`;
    });
    socket.once('close', () => {
      socket.removeAllListeners('data');
      socket.removeAllListeners('end');
      this.onClose(this.closeReason, this.closeError);
    });
  }

  async send(type: FrameType, id: number, payload: Uint8Array, flags = 0, prefix?: Uint8Array): Promise<void> {
    if (this.closing || this.socket.destroyed) throw new ConnectionClosedError('socket is closed');
    let accepted: boolean;
    if (payload.byteLength < ZERO_COPY_BYTES) {
      accepted = this.socket.write(encodeFrame(type, id, payload, this.maxFrameBytes, flags, prefix));
    } else {
      // Large bodies go to the socket as they are (one writev) instead of being copied into a frame.
      const length = (prefix?.byteLength ?? 0) + payload.byteLength;
      const header = encodeFrameHeader(type, id, length, this.maxFrameBytes, flags);
      this.socket.cork();
      this.socket.write(prefix === undefined ? header : Buffer.concat([header, prefix]));
      accepted = this.socket.write(payload);
      this.socket.uncork();
    }
    if (!accepted) await this.waitForDrain();
  }

  finish(): void {
    // Exchanges share the socket: nothing to release per exchange.
  }

  reset(id: number): void {
    this.send(FrameType.Cancel, id, EMPTY).catch(() => undefined);
  }

  async close(reason: string): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.closeReason = reason;
      // Flush what is queued, then half-close; destroy if the peer does not finish promptly.
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), 1000);
      timer.unref();
      await this.closed;
      clearTimeout(timer);
    }
    await this.closed;
  }

  private receive(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.fail(error as FrameError);
      return;
    }
    for (const frame of frames) {
      if (this.closing) return;
      this.onFrame(frame);
    }
  }

  private receiveEnd(): void {
    try {
      this.decoder.finish();
    } catch (error) {
      this.fail(error as FrameError);
      return;
    }
    this.closing = true;
    this.socket.end();
  }

  private fail(error: Error): void {
    this.closeError ??= error;
    this.closeReason = `protocol error: ${(error as FrameError).code}`;
    this.closing = true;
    this.socket.destroy();
  }

  private waitForDrain(): Promise<void> {
    this.drain ??= new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', gone);
        this.drain = undefined;
        resolve();
      };
      const gone = (): void => {
        this.socket.off('drain', done);
        this.drain = undefined;
        reject(new ConnectionClosedError('socket closed while writing'));
      };
      this.socket.on('drain', done);
      this.socket.once('close', gone);
    });
    return this.drain;
  }
}
