import { ConnectionClosedError } from '../../src/errors';
import { TransportEventEmitter } from '../../src/events';
import { encodeFrame, FrameDecoder, FrameType, type Frame } from '../../src/frame/frame-codec';
import type { FrameLink } from '../../src/session/frame-link';
import { Session } from '../../src/session/session';
import type { Handler, TransportEvents } from '../../src/types';

/** Two in-memory links wired back to back, through the real encoder and decoder. */
export class MemoryLink implements FrameLink {
  onFrame: (frame: Frame) => void = () => undefined;
  onClose: (reason: string, error?: Error) => void = () => undefined;
  other!: MemoryLink;
  closed = false;
  resets: number[] = [];
  private readonly decoder = new FrameDecoder(64);

  async send(type: FrameType, id: number, payload: Uint8Array, flags = 0, prefix?: Uint8Array): Promise<void> {
    if (this.closed) throw new ConnectionClosedError('memory link closed');
    const bytes = encodeFrame(type, id, payload, 64, flags, prefix);
    queueMicrotask(() => this.other.deliver(bytes));
  }

  deliver(bytes: Uint8Array): void {
    if (this.closed) return;
    try {
      for (const frame of this.decoder.push(bytes)) this.onFrame(frame);
    } catch (error) {
      this.onClose('decode failed', error as Error);
    }
  }

  finish(): void {}

  reset(id: number): void {
    this.resets.push(id);
    void this.send(FrameType.Cancel, id, new Uint8Array(0)).catch(() => undefined);
  }

  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // After the frames already in flight, as on a real socket.
    queueMicrotask(() => this.other.onClose(`peer: ${reason}`));
  }
}

/** With the synchronous fast path of TcpFrameLink; `drain` makes every send report backpressure. */
export class SyncMemoryLink extends MemoryLink {
  drain: Promise<void> | undefined;

  sendNow(
    type: FrameType,
    id: number,
    payload: Uint8Array,
    flags = 0,
    prefix?: Uint8Array,
  ): Promise<void> | undefined {
    if (this.closed) throw new ConnectionClosedError('memory link closed');
    const bytes = encodeFrame(type, id, payload, 64, flags, prefix);
    queueMicrotask(() => this.other.deliver(bytes));
    return this.drain;
  }
}

export function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const peer = (agentId: string) => ({ agentId, subject: '', fingerprint256: '', validTo: new Date() });

/** A dialer (`client`, on link `a`) and a listener (`server`, on link `b`) serving `handlers`. */
export function sessionPair(
  handlers: Record<string, Handler> = {},
  drainTimeoutMs = 1000,
  Link: new () => MemoryLink = MemoryLink,
) {
  const a = new Link();
  const b = new Link();
  a.other = b;
  b.other = a;
  const events = new TransportEventEmitter();
  const errors: Array<TransportEvents['transportError']> = [];
  events.on('transportError', (e) => void errors.push(e));
  const base = {
    transport: 'tcp' as const,
    remoteAddress: 'memory',
    maxFrameBytes: 64,
    requestTimeoutMs: 1000,
    drainTimeoutMs,
    events,
    onClosed: () => undefined,
  };
  const client = new Session(a, { ...base, direction: 'outbound', peer: peer('server'), sharedHandlers: new Map() });
  const shared = new Map(Object.entries(handlers));
  const server = new Session(b, { ...base, direction: 'inbound', peer: peer('client'), sharedHandlers: shared });
  return { a, b, client, server, errors, events };
}
