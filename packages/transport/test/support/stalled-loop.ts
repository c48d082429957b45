import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/** Runs in a thread of its own, so its datagram leaves while the test's thread is blocked. */
const SENDER = `
const { parentPort } = require('node:worker_threads');
const dgram = require('node:dgram');
parentPort.on('message', ({ port, afterMs }) => {
  const socket = dgram.createSocket('udp4');
  setTimeout(() => socket.send('stall', port, '127.0.0.1', () => {
    parentPort.postMessage(performance.timeOrigin + performance.now());
    socket.close();
  }), afterMs);
});
`;

/**
 * Blocks the event loop as a long GC or a synchronous task does, while a datagram arrives: the
 * socket holds it, unread, until the loop runs again, after its expired timers.
 */
export class StalledLoop {
  private constructor(private readonly worker: Worker) {}

  static async start(): Promise<StalledLoop> {
    const worker = new Worker(SENDER, { eval: true });
    await once(worker, 'online');
    return new StalledLoop(worker);
  }

  /**
   * Blocks this thread for `stallMs` in the check phase (as a long task run from I/O or
   * setImmediate); another thread sends one datagram to 127.0.0.1:`port` `sendAfterMs` into the
   * stall. The loop's next turn then runs the timers that expired meanwhile before it reads the
   * socket (a stall in a timer callback would not show that: Node reads sockets first then). Resolves
   * true when the datagram did leave during the stall (a starved machine may run the sender late:
   * the caller then has nothing to judge and tries again).
   */
  stall(port: number, sendAfterMs: number, stallMs: number): Promise<boolean> {
    const sent = once(this.worker, 'message');
    this.worker.postMessage({ port, afterMs: sendAfterMs });
    let end = 0;
    setImmediate(() => {
      end = performance.timeOrigin + performance.now() + stallMs;
      while (performance.timeOrigin + performance.now() < end) {
        // Busy: the event loop cannot run.
      }
    });
    return sent.then(([sentAt]: number[]) => end > 0 && sentAt < end);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
