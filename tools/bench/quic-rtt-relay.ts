/**
 * A UDP relay between one client and one server on this host: every datagram waits a fixed delay
 * each way, and a drop rule (random share, or "the next datagram of one direction") decides
 * which never arrive. For in-process measurements of loss recovery; netns-rig.ts is the real
 * network with kernel loss. Not the test-harness UDP fault proxy: its loss is random only, and a
 * lost lone packet needs "the next datagram with data of this direction", never an ACK.
 */
import dgram from 'node:dgram';

export type Direction = 'up' | 'down';

export interface RelayCounters {
  forwarded: number;
  dropped: number;
}

export class DelayRelay {
  readonly counters: RelayCounters = { forwarded: 0, dropped: 0 };
  /** Share of datagrams of both directions dropped at random (0..1). */
  lossRate = 0;
  private dropNext: Direction | undefined;
  private clientPort = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly host: string,
    private readonly serverPort: number,
    private readonly delayMs: number,
  ) {
    socket.on('message', (datagram, from) => this.relay(datagram, from.port));
  }

  static async open(host: string, serverPort: number, delayMs: number): Promise<DelayRelay> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
    return new DelayRelay(socket, host, serverPort, delayMs);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Drops the next datagram of `direction` that carries more than an ACK (over 60 bytes). */
  dropNextOf(direction: Direction): void {
    this.dropNext = direction;
  }

  /** True while a dropNextOf() has not found its datagram yet. */
  get dropPending(): boolean {
    return this.dropNext !== undefined;
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.socket.close();
  }

  private relay(datagram: Buffer, fromPort: number): void {
    const direction: Direction = fromPort === this.serverPort ? 'down' : 'up';
    if (direction === 'up') this.clientPort = fromPort;
    const chosen = this.dropNext === direction && datagram.byteLength > 60;
    if (chosen || Math.random() < this.lossRate) {
      if (chosen) this.dropNext = undefined;
      this.counters.dropped += 1;
      return;
    }
    this.counters.forwarded += 1;
    const to = direction === 'up' ? this.serverPort : this.clientPort;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.socket.send(datagram, to, this.host);
    }, this.delayMs);
    this.timers.add(timer);
  }
}
