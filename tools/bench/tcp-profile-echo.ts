/**
 * CPU profile of agentlink's TCP request path (64 B echo, 16 concurrent) for finding the
 * transport's own overhead above node:tls.
 *
 * Run: npx node --cpu-prof --cpu-prof-dir /tmp/tcpprof --import tsx tools/bench/tcp-profile-echo.ts [requests]
 *      npx tsx tools/bench/quic-profile-summary.ts /tmp/tcpprof/*.cpuprofile 40
 */
import { runLoad } from '@agentlink/test-harness';
import { openConnectionPair } from './connection-pair';

const requests = Number(process.argv[2] ?? 50_000);
const pair = await openConnectionPair('tcp');
const payload = new Uint8Array(64);
const r = await runLoad({ concurrency: 16, requests, call: () => pair.connection.request('echo', payload) });
console.log(`${r.count} requests, ${Math.round(r.throughputPerSec)} req/s, p50 ${r.latency.p50} ms`);
await pair.close();
