import type { QuicEndpoint } from './endpoint/quic-endpoint';

/** One UDP socket per local wildcard address, shared by all of a transport's dials (no bind per dial). */
export class ClientEndpoints {
  private readonly sockets = new Map<string, Promise<QuicEndpoint>>();

  constructor(private readonly open: (localHost: string) => Promise<QuicEndpoint>) {}

  get size(): number {
    return this.sockets.size;
  }

  /** The sockets opened so far (tests and the fuzz harness look at their connections). */
  values(): IterableIterator<Promise<QuicEndpoint>> {
    return this.sockets.values();
  }

  get(localHost: string): Promise<QuicEndpoint> {
    const existing = this.sockets.get(localHost);
    if (existing !== undefined) {
      return existing.then((endpoint) => {
        if (!endpoint.stopped) return endpoint;
        // A socket that stopped by itself (socket error) is replaced on the next dial.
        if (this.sockets.get(localHost) === existing) this.sockets.delete(localHost);
        return this.get(localHost);
      });
    }
    const opened = this.open(localHost);
    opened.catch(() => this.sockets.delete(localHost));
    this.sockets.set(localHost, opened);
    return opened;
  }

  /** Takes every socket out (the transport closes them). */
  takeAll(): Array<Promise<QuicEndpoint>> {
    const all = [...this.sockets.values()];
    this.sockets.clear();
    return all;
  }
}
