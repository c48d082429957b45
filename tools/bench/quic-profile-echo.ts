/**
 * Profiling workload: N sequential 64-byte echoes on one @matrixai/quic connection (client and
 * server in this process), printing wall and CPU time per round trip. Run it under the profiler:
 *
 *   npx node --cpu-prof --cpu-prof-dir /tmp/qprof --import tsx tools/bench/quic-profile-echo.ts
 *   npx tsx tools/bench/quic-profile-summary.ts /tmp/qprof/*.cpuprofile
 *
 * Environment: LIB=<dir of an @matrixai/quic copy> (default node_modules), MODE=req|reuse
 * (new stream per request, or one reused stream), COALESCE=1 (patched `coalesceSends`),
 * N (default 2000), SIZE (default 64).
 */
import { createBenchPki } from './quic-bench-pki';
import { loadQuic, startQuicEchoServer, dialQuic, quicRequest, quicChannel } from './quic-bench-echo';

const quic = await loadQuic(process.env.LIB || undefined);
const pki = createBenchPki();
const config = process.env.COALESCE === '1' ? { coalesceSends: true } : {};
const server = await startQuicEchoServer(quic, pki, { config });
const dialed = await dialQuic(quic, pki, server.port, config);
const payload = new Uint8Array(Number(process.env.SIZE ?? 64));
const mode = process.env.MODE ?? 'req';
const channel = quicChannel(dialed.conn);
const once = mode === 'req' ? () => quicRequest(dialed.conn, payload) : () => channel.request(payload);
for (let i = 0; i < 300; i++) await once();
const N = Number(process.env.N ?? 2000);
const lat: number[] = [];
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const t = performance.now();
  await once();
  lat.push(performance.now() - t);
}
const wall = (performance.now() - t0) / N;
const cpu = process.cpuUsage(c0);
lat.sort((a, b) => a - b);
console.log(
  `${mode} ${process.env.COALESCE === '1' ? 'coalesce' : 'default'} p50 ${lat[N >> 1].toFixed(3)} ms, ` +
    `wall/rtt ${wall.toFixed(3)} ms, cpu/rtt ${((cpu.user + cpu.system) / 1000 / N).toFixed(3)} ms`,
);
await dialed.close();
await server.close();
process.exit(0);
