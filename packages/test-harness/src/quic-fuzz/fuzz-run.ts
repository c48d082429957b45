import { QuicTransport, type Connection } from '@agentlink/transport';
import { createTestPki } from '../pki/test-pki';
import { sendDatagrams } from './datagram-flood';
import { QuicPacketFuzzer, type FuzzCounts } from './packet-fuzzer';

/** Options of runQuicFuzz. */
export interface QuicFuzzOptions {
  /** Datagrams to send. */
  readonly count: number;
  /** 'packets': every QUIC packet form, mutated; 'random': random bytes. */
  readonly mode: 'packets' | 'random';
  /** The listener's Retry setting (production default: true). */
  readonly retry?: boolean;
  readonly seed?: number;
  /**
   * Datagrams per second (default 10,000). Faster than the listener drains its socket, the
   * kernel drops datagrams, the good client's among them: that is a capacity limit, not a crash.
   */
  readonly ratePerSec?: number;
  /**
   * Good requests before the "before" RSS sample (default 2,000): the allocator's footprint of a
   * busy connection (quiche's buffers) grows for the first tens of thousands of requests, then
   * stays flat; warm it up so the burst is measured, not the warm-up.
   */
  readonly warmupRequests?: number;
  readonly onProgress?: (sent: number) => void;
}

/** What happened to the listener and to a good client during a fuzz run. */
export interface QuicFuzzReport {
  readonly sent: number;
  readonly counts: FuzzCounts;
  /** Datagrams the listener's socket received (UDP may drop some under load). */
  readonly listenerReceived: number;
  readonly goodRequests: number;
  readonly goodErrors: readonly string[];
  readonly newConnectionAfter: boolean;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
  readonly seconds: number;
}

interface EndpointView {
  readonly counters: { received: number };
  readonly connections: { values(): Iterable<{ native: { destinationId(): Uint8Array } }> };
}

const gc = (globalThis as { gc?: (options?: object) => void }).gc;
const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20;

/**
 * RSS after a memory-reducing full GC: V8 keeps the young generation it grew under the burst's
 * allocation rate committed after an ordinary GC (heapTotal up, heapUsed flat), which is not
 * memory the listener holds.
 */
async function settledRss(): Promise<number> {
  for (let i = 0; i < 5; i += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  }
  return rssMiB();
}

/**
 * A production listener (default options, real CA, verification on) takes `count` fuzzed
 * datagrams while a good client keeps sending requests; then a new client must connect.
 * The listener's and the client's endpoints are read through their (private) fields only to
 * learn the live connection ids the fuzzer forges packets for, and the listener's counters.
 */
export async function runQuicFuzz(options: QuicFuzzOptions): Promise<QuicFuzzReport> {
  const pki = await createTestPki({ agentIds: ['listener', 'good', 'late'] });
  const listener = new QuicTransport({
    credentials: pki.agents['listener']!,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
  listener.handle('echo', (body) => body);
  const { port } = await listener.listen({ host: '127.0.0.1', port: 0 });
  const client = new QuicTransport({ credentials: pki.agents['good']!, requestTimeoutMs: 10_000 });
  const late = new QuicTransport({ credentials: pki.agents['late']! });
  const started = performance.now();
  try {
    const good: Connection = await client.dial({ host: '127.0.0.1', port });
    for (let i = 0; i < (options.warmupRequests ?? 2000); i += 1) await good.request('echo', Buffer.alloc(64, 7));
    const clientEndpoints = (client as unknown as { clientSockets: Map<string, Promise<EndpointView>> }).clientSockets;
    const knownCids: Buffer[] = [];
    for (const endpoint of clientEndpoints.values()) {
      for (const connection of (await endpoint).connections.values())
        knownCids.push(Buffer.from(connection.native.destinationId()));
    }
    const server = (listener as unknown as { server: EndpointView }).server;
    const rssBeforeMiB = await settledRss();
    const fuzzer = new QuicPacketFuzzer({ seed: options.seed ?? 1, knownCids });
    let stop = false;
    let goodRequests = 0;
    const goodErrors: string[] = [];
    const payload = Buffer.alloc(64, 7);
    const goodLoop = (async () => {
      while (!stop) {
        try {
          await good.request('echo', payload);
          goodRequests += 1;
        } catch (error) {
          goodErrors.push(`${(error as { code?: string }).code ?? 'error'}: ${(error as Error).message}`);
          // A closed connection fails every call at once: stop instead of spinning.
          if (good.closed || goodErrors.length >= 100) break;
        }
      }
    })();
    const sent = await sendDatagrams({
      target: { host: '127.0.0.1', port },
      count: options.count,
      next: options.mode === 'random' ? () => fuzzer.randomBytes() : () => fuzzer.next(),
      ratePerSec: options.ratePerSec ?? 10_000,
      onProgress: options.onProgress,
    });
    stop = true;
    await goodLoop;
    const fresh = await late.dial({ host: '127.0.0.1', port });
    const newConnectionAfter = Buffer.from(await fresh.request('echo', Buffer.from('after'))).toString() === 'after';
    await fresh.close();
    return {
      sent,
      counts: fuzzer.counts,
      listenerReceived: server.counters.received,
      goodRequests,
      goodErrors,
      newConnectionAfter,
      rssBeforeMiB,
      rssAfterMiB: await settledRss(),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await Promise.all([client.close(), late.close()]);
    await listener.close();
  }
}
