/**
 * Profiling workload: N requests of SIZE bytes on one QuicTransport connection (client and
 * server in this process, a new QUIC stream per request), STREAMS of them in flight at once,
 * printing wall and CPU time per request.
 *
 *   npx nx run-many -t build
 *   npx node --cpu-prof --cpu-prof-dir /tmp/qtprof --import tsx tools/bench/quic-transport-profile.ts
 *   npx tsx tools/bench/quic-profile-summary.ts /tmp/qtprof/*.cpuprofile
 *
 * Also counts UDP datagrams sent per request (both ends), which does not depend on machine load.
 * Environment: COALESCE=0 (coalesceSends off; default on), N (default 3000), SIZE (default 64),
 * STREAMS (default 1), TRANSPORT=quic|tcp (default quic).
 */
import dgram from 'node:dgram';
import { openConnectionPair } from './connection-pair';

// Datagrams sent by both ends (client and server share this process): a load-independent cost.
let datagrams = 0;
const originalSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function countedSend(this: dgram.Socket, ...args: unknown[]) {
  datagrams += 1;
  return (originalSend as (...a: unknown[]) => void).apply(this, args);
} as typeof dgram.Socket.prototype.send;

const N = Number(process.env.N ?? 3000);
const SIZE = Number(process.env.SIZE ?? 64);
const STREAMS = Number(process.env.STREAMS ?? 1);
const kind = process.env.TRANSPORT === 'tcp' ? 'tcp' : 'quic';
const pair = await openConnectionPair(kind, { coalesceSends: process.env.COALESCE !== '0' });
const payload = new Uint8Array(SIZE).fill(0x61);
const run = async (count: number): Promise<number[]> => {
  const latencies: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const t = performance.now();
      await pair.connection.request('echo', payload);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: STREAMS }, worker));
  return latencies.sort((a, b) => a - b);
};
await run(Math.min(200, N));
const d0 = datagrams;
const c0 = process.cpuUsage();
const t0 = performance.now();
const lat = await run(N);
const wall = performance.now() - t0;
const cpu = process.cpuUsage(c0);
const at = (q: number): string => (lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? 0).toFixed(3);
const mib = (N * SIZE * 2) / 2 ** 20 / (wall / 1000);
console.log(
  `${kind} ${N} x ${SIZE} B, ${STREAMS} streams: ${((N / wall) * 1000).toFixed(0)} req/s, ${mib.toFixed(1)} MiB/s, ` +
    `p50 ${at(0.5)} p90 ${at(0.9)} p99 ${at(0.99)} ms, ` +
    `${((cpu.user + cpu.system) / 1000 / N).toFixed(3)} ms CPU/req, ` +
    `${((datagrams - d0) / N).toFixed(2)} datagrams/req`,
);
await pair.close();
