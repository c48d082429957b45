/**
 * Profiling workload: N sequential 64-byte requests on one QuicTransport connection (client and
 * server in this process, a new QUIC stream per request), printing wall and CPU time per request.
 *
 *   npx nx run-many -t build
 *   npx node --cpu-prof --cpu-prof-dir /tmp/qtprof --import tsx tools/bench/quic-transport-profile.ts
 *   npx tsx tools/bench/quic-profile-summary.ts /tmp/qtprof/*.cpuprofile
 *
 * Also counts UDP datagrams sent per request (both ends), which does not depend on machine load.
 * Environment: COALESCE=0 (coalesceSends off; default on), N (default 3000).
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
const pair = await openConnectionPair('quic', { coalesceSends: process.env.COALESCE !== '0' });
const payload = new Uint8Array(64).fill(0x61);
for (let i = 0; i < 200; i++) await pair.connection.request('echo', payload);
const d0 = datagrams;
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < N; i++) await pair.connection.request('echo', payload);
const wall = performance.now() - t0;
const cpu = process.cpuUsage(c0);
console.log(`${N} requests: ${(wall / N).toFixed(3)} ms wall/request, ${((cpu.user + cpu.system) / 1000 / N).toFixed(3)} ms CPU/request, ${((datagrams - d0) / N).toFixed(2)} datagrams/request`);
await pair.close();
