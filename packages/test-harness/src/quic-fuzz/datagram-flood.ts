import dgram from 'node:dgram';
import { isIP } from 'node:net';
import type { HostPort } from '../fault-proxy/types';

/** Options of sendDatagrams. */
export interface DatagramFloodOptions {
  readonly target: HostPort;
  /** How many datagrams to send. */
  readonly count: number;
  /** Makes the next datagram. */
  readonly next: () => Buffer;
  /**
   * Datagrams per event-loop turn (the receiver gets turns in between). Default 16: 64 at once
   * overflow a default Linux socket receive buffer (212,992 bytes of skb truesize) on loopback.
   */
  readonly burst?: number;
  /** Datagrams per second at most (paced per burst); default unlimited. */
  readonly ratePerSec?: number;
  /** Called every `progressEvery` datagrams. */
  readonly onProgress?: (sent: number) => void;
  readonly progressEvery?: number;
}

/** Sends `count` datagrams from one socket, `burst` per event-loop turn; resolves with the number sent. */
export async function sendDatagrams(options: DatagramFloodOptions): Promise<number> {
  const socket = dgram.createSocket(isIP(options.target.host) === 6 ? 'udp6' : 'udp4');
  socket.on('error', () => undefined); // ICMP unreachable and the like: the flood goes on
  const burst = options.burst ?? 16;
  const every = options.progressEvery ?? 100_000;
  let sent = 0;
  const started = performance.now();
  try {
    while (sent < options.count) {
      const end = Math.min(options.count, sent + burst);
      await new Promise<void>((resolve) => {
        let pending = end - sent;
        for (; sent < end; sent += 1) {
          socket.send(options.next(), options.target.port, options.target.host, () => {
            pending -= 1;
            if (pending === 0) resolve();
          });
          if ((sent + 1) % every === 0) options.onProgress?.(sent + 1);
        }
      });
      const aheadMs =
        options.ratePerSec === undefined ? 0 : (sent / options.ratePerSec) * 1000 - (performance.now() - started);
      await new Promise((resolve) => (aheadMs >= 1 ? setTimeout(resolve, aheadMs) : setImmediate(resolve)));
    }
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
  return sent;
}
