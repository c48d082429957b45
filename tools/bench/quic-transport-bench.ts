/**
 * @agentlink/transport QuicTransport against the bare @matrixai/quic echo, in one process:
 *  1. loopback request/response, 64 B, sequential on one connection, a new QUIC stream per
 *     request everywhere: bare echo (pristine library if --pristine, patched, patched +
 *     coalesceSends), QuicTransport with coalesceSends off / on, TcpTlsTransport for reference.
 *     Variants run interleaved in rounds so all see the same machine load.
 *  2. dial-to-first-response through the test-harness fault proxy (UDP for QUIC, TCP for TLS)
 *     with --latency ms added each way: QuicTransport Retry on / off vs TcpTlsTransport. One dial
 *     = new client transport, handshake with mutual certificate checks, the listener's hello,
 *     one 64 B request, full answer (closing the client is not timed). The TCP proxy completes
 *     the TCP handshake locally, so `tcp +SYN` adds the SYN round trip (2 x latency) of a real
 *     path; `tcp raw` is the proxy figure as measured.
 *
 * Build first (dist of @agentlink/transport and test-harness): npx nx run-many -t build
 *   sh tools/bench/quic-pristine.sh   # optional: unpatched copy for --pristine
 *   npx tsx tools/bench/quic-transport-bench.ts [--n 2000] [--rounds 5] [--dials 30] [--latency 25]
 *       [--pristine /tmp/quic-pristine/node_modules/@matrixai/quic]
 *       [--out tools/bench/results/quic-transport.json]
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import * as hdr from 'hdr-histogram-js';
import {
  QuicTransport,
  TcpTlsTransport,
  type Connection,
  type QuicTransportOptions,
  type Transport,
} from '@agentlink/transport';
import { createTcpFaultProxy, createUdpFaultProxy } from '@agentlink/test-harness';
import { ms, writeResult } from './bench-output';
import { echo, pairCredentials } from './connection-pair';
import { describeMachine, machineInfo } from './machine-info';
import { createBenchPki } from './quic-bench-pki';
import { dialQuic, loadQuic, quicRequest, startQuicEchoServer } from './quic-bench-echo';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '5' },
    dials: { type: 'string', default: '30' },
    latency: { type: 'string', default: '25' },
    pristine: { type: 'string' },
    out: { type: 'string' },
    skip: { type: 'string', default: '' },
  },
});
const N = Number(values.n);
const ROUNDS = Number(values.rounds);
const DIALS = Number(values.dials);
const LATENCY_MS = Number(values.latency);
const SKIP = new Set(values.skip.split(',').filter(Boolean));
const payload = new Uint8Array(64).fill(0x61);
const machine = machineInfo();
console.log(`quic-transport bench: ${describeMachine(machine)}`);

const credentials = await pairCredentials();
const closers: Array<() => Promise<unknown> | unknown> = [];

function check(answer: Uint8Array): void {
  if (answer.byteLength !== payload.byteLength) throw new Error(`echo returned ${answer.byteLength} bytes`);
}

async function transportPair(kind: 'quic' | 'tcp', tuning: Partial<QuicTransportOptions>): Promise<Connection> {
  const server: Transport =
    kind === 'quic'
      ? new QuicTransport({ credentials: credentials.server, ...tuning })
      : new TcpTlsTransport({ credentials: credentials.server });
  server.handle('echo', echo);
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const client: Transport =
    kind === 'quic'
      ? new QuicTransport({ credentials: credentials.client, ...tuning })
      : new TcpTlsTransport({ credentials: credentials.client });
  closers.push(async () => {
    await client.close();
    await server.close();
  });
  return client.dial({ host: '127.0.0.1', port });
}

// ---------- 1. loopback request/response ----------
interface Variant {
  name: string;
  fn: () => Promise<unknown>;
  h: hdr.Histogram;
  cpuUs: number;
}
const variants: Variant[] = [];
const add = (name: string, fn: () => Promise<unknown>): void => {
  if (SKIP.has(name)) return;
  variants.push({
    name,
    fn,
    cpuUs: 0,
    h: hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 }),
  });
};

const pki = createBenchPki();
const bareLibs: Array<{ name: string; dir?: string; config: Record<string, unknown> }> = [
  { name: 'bare quic patched', config: {} },
  { name: 'bare quic patched+coalesce', config: { coalesceSends: true } },
];
if (values.pristine !== undefined) bareLibs.unshift({ name: 'bare quic pristine', dir: values.pristine, config: {} });
for (const lib of bareLibs) {
  const quic = await loadQuic(lib.dir);
  const server = await startQuicEchoServer(quic, pki, { config: lib.config });
  const dialed = await dialQuic(quic, pki, server.port, lib.config);
  closers.push(async () => {
    await dialed.close();
    await server.close();
  });
  add(lib.name, async () => check(await quicRequest(dialed.conn, payload)));
}
const quicPlain = await transportPair('quic', { coalesceSends: false });
add('QuicTransport coalesceSends off', async () => check(await quicPlain.request('echo', payload)));
const quicCoalesced = await transportPair('quic', { coalesceSends: true });
add('QuicTransport coalesceSends on', async () => check(await quicCoalesced.request('echo', payload)));
const tcp = await transportPair('tcp', {});
add('TcpTlsTransport', async () => check(await tcp.request('echo', payload)));

for (const v of variants) for (let i = 0; i < Math.min(200, Math.ceil(N / 10)); i++) await v.fn();
for (let round = 0; round < ROUNDS; round++) {
  for (const v of variants) {
    const n = Math.ceil(N / ROUNDS);
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint();
      await v.fn();
      v.h.recordValue(Number((process.hrtime.bigint() - t) / 1000n));
    }
    const c = process.cpuUsage(c0);
    v.cpuUs += c.user + c.system;
  }
}
const loopback = variants.map((v) => ({
  variant: v.name,
  n: v.h.totalCount,
  p50Ms: ms(v.h.getValueAtPercentile(50) / 1000),
  p90Ms: ms(v.h.getValueAtPercentile(90) / 1000),
  p99Ms: ms(v.h.getValueAtPercentile(99) / 1000),
  cpuMsPerOp: ms(v.cpuUs / v.h.totalCount / 1000),
}));
console.log(
  `\n64 B request/response, new stream per request, ${N} sequential per variant (ms; CPU/op = whole process)`,
);
for (const r of loopback) {
  console.log(
    `${r.variant.padEnd(34)} p50 ${r.p50Ms.toFixed(3).padStart(7)}  p90 ${r.p90Ms.toFixed(3).padStart(7)}  ` +
      `p99 ${r.p99Ms.toFixed(3).padStart(7)}  cpu/op ${r.cpuMsPerOp.toFixed(3).padStart(6)}`,
  );
}
const p50 = (name: string): number | undefined => loopback.find((r) => r.variant === name)?.p50Ms;
const loopbackRatios: Record<string, number> = {};
for (const base of bareLibs.map((l) => l.name)) {
  for (const ours of ['QuicTransport coalesceSends off', 'QuicTransport coalesceSends on']) {
    const a = p50(base);
    const b = p50(ours);
    if (a !== undefined && b !== undefined) {
      loopbackRatios[`${base} p50 / ${ours} p50`] = Math.round((a / b) * 100) / 100;
    }
  }
}
console.log(loopbackRatios);
for (const f of closers.splice(0)) await f();

// ---------- 2. dial to first response through the fault proxy ----------
const faults = { latencyMs: LATENCY_MS };
async function listener(kind: 'quic' | 'tcp', retry?: boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const t: Transport =
    kind === 'quic'
      ? new QuicTransport({ credentials: credentials.server, retry })
      : new TcpTlsTransport({ credentials: credentials.server });
  t.handle('echo', echo);
  const { port } = await t.listen({ host: '127.0.0.1', port: 0 });
  return { port, close: () => t.close() };
}
const servers = { on: await listener('quic', true), off: await listener('quic', false), tcp: await listener('tcp') };
const proxies = {
  on: await createUdpFaultProxy({ target: { host: '127.0.0.1', port: servers.on.port }, faults }),
  off: await createUdpFaultProxy({ target: { host: '127.0.0.1', port: servers.off.port }, faults }),
  tcp: await createTcpFaultProxy({ target: { host: '127.0.0.1', port: servers.tcp.port }, faults }),
};
async function dialOnce(kind: 'quic' | 'tcp', port: number): Promise<number> {
  const client: Transport =
    kind === 'quic'
      ? new QuicTransport({ credentials: credentials.client })
      : new TcpTlsTransport({ credentials: credentials.client });
  try {
    const t = performance.now();
    const connection = await client.dial({ host: '127.0.0.1', port });
    check(await connection.request('echo', payload));
    return performance.now() - t;
  } finally {
    await client.close({ force: true });
  }
}
const dialVariants: Array<[string, () => Promise<number>]> = [
  ['tcp raw', () => dialOnce('tcp', proxies.tcp.address.port)],
  ['quic retry on', () => dialOnce('quic', proxies.on.address.port)],
  ['quic retry off', () => dialOnce('quic', proxies.off.address.port)],
];
const dialSamples = new Map<string, number[]>(dialVariants.map(([n]) => [n, []]));
for (const [, f] of dialVariants) await f(); // warm-up
for (let i = 0; i < DIALS; i++) for (const [name, f] of dialVariants) dialSamples.get(name)!.push(await f());
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const synRtt = 2 * LATENCY_MS;
dialSamples.set('tcp +SYN', dialSamples.get('tcp raw')!.map((x) => x + synRtt));
const dial = [...dialSamples].map(([variant, xs]) => ({
  variant, dials: xs.length, p50Ms: ms(pct(xs, 50)), p90Ms: ms(pct(xs, 90)), minMs: ms(Math.min(...xs)),
  roundTrips: Math.round((pct(xs, 50) / (2 * LATENCY_MS)) * 100) / 100,
}));
console.log(`\ndial to first response, ${LATENCY_MS} ms each way, ${DIALS} dials per variant`);
for (const r of dial) {
  console.log(
    `${r.variant.padEnd(15)} p50 ${r.p50Ms.toFixed(1).padStart(7)}  p90 ${r.p90Ms.toFixed(1).padStart(7)}  ` +
      `min ${r.minMs.toFixed(1).padStart(7)} ms  ~${r.roundTrips} RTT`,
  );
}
const dp50 = (name: string): number => dial.find((r) => r.variant === name)!.p50Ms;
const dialRatios = {
  retryOffVsTcpSyn: Math.round((dp50('quic retry off') / dp50('tcp +SYN')) * 100) / 100,
  retryOnVsTcpSyn: Math.round((dp50('quic retry on') / dp50('tcp +SYN')) * 100) / 100,
  retryOffVsTcpRaw: Math.round((dp50('quic retry off') / dp50('tcp raw')) * 100) / 100,
  retryOnVsTcpRaw: Math.round((dp50('quic retry on') / dp50('tcp raw')) * 100) / 100,
};
console.log(dialRatios);
await Promise.all(Object.values(proxies).map((p) => p.close()));
await Promise.all(Object.values(servers).map((s) => s.close()));

const command = `npx tsx tools/bench/quic-transport-bench.ts ${process.argv.slice(2).join(' ')}`.trim();
const out = writeResult('quic-transport', {
  command, machine, loadAverage1mAtEnd: Number(loadavg()[0]!.toFixed(2)),
  n: N, rounds: ROUNDS, dials: DIALS, latencyMsEachWay: LATENCY_MS,
  loopback, loopbackRatios, dial, dialRatios,
}, values.out);
console.log(`wrote ${out}`);
process.exit(0);
