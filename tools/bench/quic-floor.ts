/**
 * The floor: bare @matrixai/quic echo vs bare node:tls echo (TLS 1.3, mutual TLS, ECDSA P-256,
 * leaf plus one), 64 B and 4 KiB, N sequential round trips on one connection (a new stream per
 * request, and one reused stream), p50/p99, plus dial-to-first-response on loopback.
 * Variants run interleaved in rounds so that all of them see the same machine load.
 * `--pristine` adds an unpatched copy of the library (from `npm pack @matrixai/quic@2.0.9`);
 * the node_modules copy is also run with the patch's opt-in `coalesceSends: true`.
 *
 *   npx tsx tools/bench/quic-floor.ts [--n 2000] [--dials 100] [--rounds 5]
 *       [--pristine /tmp/quic-pristine/node_modules/@matrixai/quic]
 *       [--out tools/bench/results/quic-floor.json]
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import * as hdr from 'hdr-histogram-js';
import { createBenchPki } from './quic-bench-pki';
import {
  loadQuic, startQuicEchoServer, dialQuic, quicRequest, quicChannel, startTlsEchoServer, dialTls, type EchoServer,
} from './quic-bench-echo';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) {
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1] ?? '');
}
const N = Number(args.get('n') ?? 2000);
const DIALS = Number(args.get('dials') ?? 100);
const ROUNDS = Number(args.get('rounds') ?? 5);
const OUT = args.get('out') ?? 'tools/bench/results/quic-floor.json';
const PAYLOADS = [64, 4096];

interface Variant {
  impl: string;
  mode: string;
  payload: number;
  total: number;
  fn: () => Promise<unknown>;
  h: hdr.Histogram;
  cpuUs: number;
}
const variants: Variant[] = [];
const add = (impl: string, mode: string, payload: number, total: number, fn: () => Promise<unknown>): void => {
  variants.push({
    impl,
    mode,
    payload,
    total,
    fn,
    cpuUs: 0,
    h: hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 }),
  });
};
const payloadOf = (size: number): Uint8Array => new Uint8Array(size).fill(0x61);
const pki = createBenchPki();
const closers: Array<() => Promise<void> | void> = [];

// node:tls
const tls = await startTlsEchoServer(pki);
closers.push(() => tls.close());
const tlsConn = await dialTls(pki, tls.port);
closers.unshift(() => tlsConn.close());
for (const size of PAYLOADS) add('node:tls', 'rtt one-connection', size, N, () => tlsConn.request(payloadOf(size)));
add('node:tls', 'dial+first-response', 64, DIALS, async () => {
  const d = await dialTls(pki, tls.port);
  await d.request(payloadOf(64));
  d.close();
});

// @matrixai/quic: node_modules (patched), node_modules + coalesceSends, pristine
const libs: Array<{ label: string; dir?: string; config: Record<string, unknown> }> = [
  { label: 'quic patched', config: {} },
  { label: 'quic patched+coalesce', config: { coalesceSends: true } },
];
if (args.get('pristine')) libs.unshift({ label: 'quic pristine 2.0.9', dir: args.get('pristine'), config: {} });
for (const lib of libs) {
  const quic = await loadQuic(lib.dir);
  const servers: Array<[string, EchoServer]> = [
    ['retry on', await startQuicEchoServer(quic, pki, { config: lib.config })],
  ];
  const off = await startQuicEchoServer(quic, pki, { serverOptions: { retry: false }, config: lib.config });
  if (off.retryOptional) servers.push(['retry off', off]);
  else await off.close();
  for (const [, s] of servers) closers.push(() => s.close());
  const d = await dialQuic(quic, pki, servers[0][1].port, lib.config);
  closers.unshift(() => d.close());
  const ch = quicChannel(d.conn);
  for (const size of PAYLOADS) {
    add(lib.label, 'rtt stream-per-req', size, N, () => quicRequest(d.conn, payloadOf(size)));
  }
  for (const size of PAYLOADS) add(lib.label, 'rtt stream-reuse', size, N, () => ch.request(payloadOf(size)));
  for (const [r, s] of servers) {
    add(lib.label, `dial+first (${r})`, 64, DIALS, async () => {
      const c = await dialQuic(quic, pki, s.port, lib.config);
      await quicRequest(c.conn, payloadOf(64));
      void c.close();
    });
  }
}

// warm-up, then interleaved rounds
for (const v of variants) for (let i = 0; i < Math.min(100, Math.ceil(v.total / 10)); i++) await v.fn();
const eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();
for (let round = 0; round < ROUNDS; round++) {
  for (const v of variants) {
    const n = Math.ceil(v.total / ROUNDS);
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
eld.disable();

const ms = (us: number): number => Math.round(us) / 1000;
const rows = variants.map((v) => ({
  impl: v.impl, mode: v.mode, payload: v.payload, n: v.h.totalCount,
  p50Ms: ms(v.h.getValueAtPercentile(50)),
  p90Ms: ms(v.h.getValueAtPercentile(90)),
  p99Ms: ms(v.h.getValueAtPercentile(99)),
  maxMs: ms(v.h.maxValue), cpuMsPerOp: Math.round(v.cpuUs / v.h.totalCount) / 1000,
}));
console.log(
  `${'impl'.padEnd(22)} ${'mode'.padEnd(22)} ${'bytes'.padStart(5)} ${'p50'.padStart(8)} ${'p90'.padStart(8)} ` +
    `${'p99'.padStart(8)} ${'cpu/op'.padStart(8)}  (ms)`,
);
for (const r of rows) {
  console.log(
    `${r.impl.padEnd(22)} ${r.mode.padEnd(22)} ${String(r.payload).padStart(5)} ${r.p50Ms.toFixed(3).padStart(8)} ` +
      `${r.p90Ms.toFixed(3).padStart(8)} ${r.p99Ms.toFixed(3).padStart(8)} ${r.cpuMsPerOp.toFixed(3).padStart(8)}`,
  );
}
for (const f of closers) await f();
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, JSON.stringify({
  date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length,
  loadavg1m: loadavg()[0],
  n: N, dials: DIALS, rounds: ROUNDS, eventLoopDelayP99Ms: Math.round(eld.percentile(99) / 1e3) / 1e3,
  note: 'cpuMsPerOp is process CPU (client and server share the process) per operation',
  rows,
}, null, 2));
console.log(`wrote ${OUT} (load average ${loadavg()[0].toFixed(2)})`);
process.exit(0);
