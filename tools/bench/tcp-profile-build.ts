/**
 * TCP request loop (64 B echo, 32 in flight or sequential) against a build of
 * @agentlink/transport in a directory, for CPU profiles of one build without touching dist/.
 *
 * Run: npx node --cpu-prof --cpu-prof-dir /tmp/tcpprof tools/bench/tcp-profile-build.ts \
 *   <build dir> [conc|seq] [requests]
 *      npx node tools/bench/quic-profile-summary.ts /tmp/tcpprof/*.cpuprofile 40
 * (the build directory must resolve @agentlink/resilience, e.g. `ln -sfn "$PWD/node_modules" /tmp/tcpab/node_modules`)
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as transportModule from '@agentlink/transport';
import type { TlsCredentials } from '@agentlink/transport';

const dir = process.argv[2] ?? 'packages/transport/dist';
const mode = process.argv[3] ?? 'conc';
const requests = Number(process.argv[4] ?? 200_000);
const mod = (await import(pathToFileURL(path.resolve(dir, 'index.js')).href)) as typeof transportModule;
const { agents } = await mod.createDevelopmentCredentials({ agentIds: ['server', 'client'] });
const listener = new mod.TcpTlsTransport({ credentials: agents['server'] as TlsCredentials, development: true });
listener.handle('echo', (body) => body);
const { port } = await listener.listen({ host: '127.0.0.1', port: 0 });
const dialer = new mod.TcpTlsTransport({ credentials: agents['client'] as TlsCredentials, development: true });
const connection = await dialer.dial({ host: '127.0.0.1', port });
const payload = new Uint8Array(64);
const started = performance.now();
const cpu0 = process.cpuUsage();
if (mode === 'seq') {
  for (let i = 0; i < requests; i += 1) await connection.request('echo', payload);
} else {
  let issued = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (issued < requests) {
        issued += 1;
        await connection.request('echo', payload);
      }
    }),
  );
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuPerRequest = ((cpu.user + cpu.system) / requests).toFixed(2);
console.log(`${mode}: ${Math.round(requests / seconds)} req/s, ${cpuPerRequest} µs CPU/request`);
await dialer.close();
await listener.close();
