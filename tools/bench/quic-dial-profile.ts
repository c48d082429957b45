/**
 * Loopback dial loop for CPU profiling of the dial path: a new client transport per dial, one
 * 64 B request, close (not profiled separately). Prints wall and CPU per dial for each phase.
 *
 *   npx node --cpu-prof --cpu-prof-dir /tmp/dialprof --import tsx tools/bench/quic-dial-profile.ts \
 *     [dials=200] [quic|tcp] [eager|confirmed] [new|reuse]
 *   npx tsx tools/bench/quic-profile-summary.ts /tmp/dialprof/CPU.*.cpuprofile 40
 */
import { QuicTransport, TcpTlsTransport, type DialMode, type Transport } from '@agentlink/transport';
import { echo, pairCredentials } from './connection-pair';

const DIALS = Number(process.argv[2] ?? 200);
const KIND = (process.argv[3] ?? 'quic') as 'quic' | 'tcp';
const MODE = (process.argv[4] ?? 'eager') as DialMode;
const credentials = await pairCredentials();
/** 'reuse': one client transport for all dials (a new connection each), as a long-lived agent. */
const REUSE = process.argv[5] === 'reuse';
const server: Transport =
  KIND === 'quic'
    ? new QuicTransport({ credentials: credentials.server, retry: false })
    : new TcpTlsTransport({ credentials: credentials.server });
server.handle('echo', echo);
const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
const payload = new Uint8Array(64);
const sharedOptions = { credentials: credentials.client, dialMode: MODE };
const shared: Transport = KIND === 'quic' ? new QuicTransport(sharedOptions) : new TcpTlsTransport(sharedOptions);
let construct = 0;
let dial = 0;
let request = 0;
let close = 0;
const c0 = process.cpuUsage();
for (let i = 0; i < DIALS; i++) {
  const t0 = performance.now();
  const options = { credentials: credentials.client, dialMode: MODE };
  const client: Transport = REUSE
    ? shared
    : KIND === 'quic'
      ? new QuicTransport(options)
      : new TcpTlsTransport(options);
  const t1 = performance.now();
  const connection = await client.dial({ host: '127.0.0.1', port });
  const t2 = performance.now();
  await connection.request('echo', payload);
  const t3 = performance.now();
  if (REUSE) await connection.close({ force: true });
  else await client.close({ force: true });
  const t4 = performance.now();
  construct += t1 - t0;
  dial += t2 - t1;
  request += t3 - t2;
  close += t4 - t3;
}
const c = process.cpuUsage(c0);
const per = (x: number): string => (x / DIALS).toFixed(2);
console.log(
  `${KIND} ${MODE}: ${DIALS} dials; per dial ms: construct ${per(construct)}, dial ${per(dial)}, ` +
    `first request ${per(request)}, close ${per(close)}; process CPU ${per((c.user + c.system) / 1000)}`,
);
await shared.close();
await server.close();
process.exit(0);
