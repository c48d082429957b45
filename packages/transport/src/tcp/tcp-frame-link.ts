import type { TLSSocket } from 'node:tls';
import { FrameDecoder, FrameType, encodeFrame, encodeFrameHeader, type Frame } from '../frame/frame-codec';
import type { FrameError } from '../errors';
import { ConnectionClosedError } from '../errors';
import type { FrameLink } from '../session/frame-link';
import { mapTlsError } from '../security/tls-error-mapping';

const EMPTY = new Uint8Array(0);
const ACCEPTED = Promise.resolve();
/** Payloads from this size on are written without copying them into the frame buffer. */
const ZERO_COPY_BYTES = 4096;

/** Every exchange of a connection multiplexed as frames over one TLS 1.3 socket. */
export class TcpFrameLink implements FrameLink {
  onFrame: (frame: Frame) => void = () => undefined;
  onClose: (reason: string, error?: Error) => void = () => undefined;

  private readonly decoder: FrameDecoder;
  private drain: Promise<void> | undefined;
  /** Frames of the current turn: none yet, one held back, or several written to the corked socket. */
  private turn: 'idle' | 'held' | 'corked' = 'idle';
  private held: Uint8Array | undefined;
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

  send(type: FrameType, id: number, payload: Uint8Array, flags = 0, prefix?: Uint8Array): Promise<void> {
    try {
      return this.sendNow(type, id, payload, flags, prefix) ?? ACCEPTED;
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  sendNow(
    type: FrameType,
    id: number,
    payload: Uint8Array,
    flags = 0,
    prefix?: Uint8Array,
  ): Promise<void> | undefined {
    if (this.closing || this.socket.destroyed) throw new ConnectionClosedError('socket is closed');
    if (payload.byteLength < ZERO_COPY_BYTES) {
      this.writeInTurn(encodeFrame(type, id, payload, this.maxFrameBytes, flags, prefix));
    } else {
      // Large bodies go to the socket as they are (one writev) instead of being copied into a frame.
      const length = (prefix?.byteLength ?? 0) + payload.byteLength;
      const header = encodeFrameHeader(type, id, length, this.maxFrameBytes, flags);
      this.writeInTurn(prefix === undefined ? header : Buffer.concat([header, prefix]));
      this.writeInTurn(payload);
    }
    return this.socket.writableNeedDrain ? this.waitForDrain() : undefined;
  }

  /**
   * Frames written in one turn of the event loop (e.g. the answers to every request that arrived
   * in one chunk, or the requests a caller issues in one go) leave in one TLS record and one
   * syscall instead of one each. A lone frame is held only until the end of the turn and then
   * written as it is (no cork); from the second frame on, the socket is corked for the turn.
   */
  private writeInTurn(bytes: Uint8Array): void {
    if (this.turn === 'idle') {
      this.turn = 'held';
      this.held = bytes;
      process.nextTick(this.endTurn);
      return;
    }
    if (this.turn === 'held') {
      this.turn = 'corked';
      this.socket.cork();
      this.socket.write(this.held as Uint8Array);
      this.held = undefined;
    }
    this.socket.write(bytes);
  }

  /** Writes what the current turn held back (also before the socket is ended). */
  private readonly endTurn = (): void => {
    const { turn, held } = this;
    this.turn = 'idle';
    this.held = undefined;
    if (this.socket.destroyed) return;
    if (turn === 'held') this.socket.write(held as Uint8Array);
    else if (turn === 'corked') this.socket.uncork();
  };

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
      this.endTurn();
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
    this.endTurn();
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
