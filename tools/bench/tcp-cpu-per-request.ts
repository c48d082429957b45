/**
 * CPU per request of agentlink's TCP request path (64 B echo, client and server in this process):
 * 100,000 requests with 32 in flight, then 10,000 sequential ones. CPU time per request varies
 * far less with machine load than wall-clock throughput, so it is the figure for A/B comparisons
 * of transport changes.
 *
 *   npx nx run-many -t build && npx tsx tools/bench/tcp-cpu-per-request.ts
 *
 * To compare two builds of @agentlink/transport without touching dist/, build each with
 * `npx tsup src/index.ts --format esm --out-dir <dir>` (from packages/transport) and point tsx at
 * it with a tsconfig whose `paths` map "@agentlink/transport" to <dir>/index.js:
 * `TSX_TSCONFIG_PATH=<that tsconfig> npx tsx tools/bench/tcp-cpu-per-request.ts`.
 */
import { runLoad } from '@agentlink/test-harness';
import { openConnectionPair } from './connection-pair';

const pair = await openConnectionPair('tcp');
const payload = new Uint8Array(64);
try {
  await runLoad({ concurrency: 32, requests: 20_000, call: () => pair.connection.request('echo', payload) });
  const c0 = process.cpuUsage();
  const load = await runLoad({
    concurrency: 32,
    requests: 100_000,
    call: () => pair.connection.request('echo', payload),
  });
  const c = process.cpuUsage(c0);
  const s0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < 10_000; i += 1) await pair.connection.request('echo', payload);
  const seqWallUs = ((performance.now() - t0) / 10_000) * 1000;
  const s = process.cpuUsage(s0);
  console.log(
    `32 in flight: ${Math.round(load.throughputPerSec)} req/s, ` +
      `${((c.user + c.system) / 100_000).toFixed(2)} µs CPU/request; ` +
      `sequential: ${seqWallUs.toFixed(1)} µs wall/request, ` +
      `${((s.user + s.system) / 10_000).toFixed(2)} µs CPU/request`,
  );
} finally {
  await pair.close();
}
