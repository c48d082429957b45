import dgram from 'node:dgram';

/** A datagram the relay saw, in order, with its direction. */
export interface RelayedDatagram {
  readonly toServer: boolean;
  readonly bytes: Buffer;
}

/**
 * A UDP relay between one QUIC client and a server on loopback: records every datagram, can
 * hold back the server's datagrams (the client's handshake then never completes) and can send
 * recorded client datagrams again from a socket of its own (a replayed first flight), and can
 * lose one datagram of either direction.
 */
export class UdpRelay {
  readonly log: RelayedDatagram[] = [];
  /** While true, datagrams from the server are queued instead of relayed. */
  holdServer = false;
  /** Datagrams dropped by dropNext(). */
  dropped = 0;
  private dropToServer: boolean | undefined;
  private readonly held: Buffer[] = [];
  private client: dgram.RemoteInfo | undefined;
  private readonly extra: dgram.Socket[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly front: dgram.Socket,
    private readonly back: dgram.Socket,
    private readonly serverPort: number,
    private readonly serverHost: string,
    private readonly delayMs: number,
  ) {
    front.on('message', (bytes, from) => {
      this.client = from;
      this.log.push({ toServer: true, bytes });
      if (this.drops(true, bytes)) return;
      this.later(() => back.send(bytes, serverPort, serverHost));
    });
    back.on('message', (bytes) => {
      this.log.push({ toServer: false, bytes });
      if (this.drops(false, bytes)) return;
      if (this.holdServer) this.held.push(bytes);
      else this.later(() => this.toClient(bytes));
    });
  }

  /**
   * Clients reach the relay on 127.0.0.1; it reaches the server at `serverHost` from an address
   * there (another interface's: the server sees a peer that is not on loopback), `delayMs` later each way.
   */
  static async start(serverPort: number, serverHost = '127.0.0.1', delayMs = 0): Promise<UdpRelay> {
    const bind = async (host: string): Promise<dgram.Socket> => {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, host, resolve));
      return socket;
    };
    return new UdpRelay(await bind('127.0.0.1'), await bind(serverHost), serverPort, serverHost, delayMs);
  }

  get port(): number {
    return this.front.address().port;
  }

  /** The client's datagrams sent before the server's first answer reached the relay. */
  firstFlight(): Buffer[] {
    const end = this.log.findIndex((d) => !d.toServer);
    return (end < 0 ? this.log : this.log.slice(0, end)).filter((d) => d.toServer).map((d) => d.bytes);
  }

  /** Loses the next datagram of one direction that carries more than an ACK (over 60 bytes). */
  dropNext(toServer: boolean): void {
    this.dropToServer = toServer;
  }

  /** Relays what the server sent while held, and stops holding. */
  release(): void {
    this.holdServer = false;
    for (const bytes of this.held.splice(0)) this.toClient(bytes);
  }

  /** Sends `datagrams` to the server again from a new socket (another address): an attacker's replay. */
  async replay(datagrams: readonly Buffer[]): Promise<void> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, this.serverHost, resolve));
    this.extra.push(socket);
    for (const bytes of datagrams) socket.send(bytes, this.serverPort, this.serverHost);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const all = [this.front, this.back, ...this.extra.splice(0)];
    await Promise.all(all.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  }

  /** Runs `send` after the relay's delay each way (at once without one). */
  private later(send: () => void): void {
    if (this.delayMs === 0) return send();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, this.delayMs);
    this.timers.add(timer);
  }

  private drops(toServer: boolean, bytes: Buffer): boolean {
    if (this.dropToServer !== toServer || bytes.byteLength <= 60) return false;
    this.dropToServer = undefined;
    this.dropped += 1;
    return true;
  }

  private toClient(bytes: Buffer): void {
    if (this.client !== undefined) this.front.send(bytes, this.client.port, this.client.address);
  }
}

/** Whether a datagram holds a 0-RTT packet (long header, type 1) as its first packet or after an Initial. */
export function zeroRttPacketIn(datagram: Buffer): boolean {
  let offset = 0;
  while (offset < datagram.byteLength && ((datagram[offset] as number) & 0x80) !== 0) {
    const type = ((datagram[offset] as number) & 0x30) >> 4;
    if (type === 1) return true;
    // Skip this long-header packet: version, ids, (Initial: token), length.
    let at = offset + 5;
    at += 1 + (datagram[at] as number);
    at += 1 + (datagram[at] as number);
    const varint = (): number => {
      const length = 1 << ((datagram[at] as number) >> 6);
      let value = (datagram[at] as number) & 0x3f;
      for (let i = 1; i < length; i += 1) value = value * 256 + (datagram[at + i] as number);
      at += length;
      return value;
    };
    if (type === 0) at += varint();
    const length = varint();
    offset = at + length;
  }
  return false;
}
