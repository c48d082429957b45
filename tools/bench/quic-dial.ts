/**
 * Dial-to-first-response through the test-harness fault proxy (UDP for QUIC, TCP for TLS) with
 * 10, 25 and 50 ms added each way: QUIC Retry on, QUIC Retry off (patched @matrixai/quic,
 * `new QUICServer({ retry: false })`) and TCP + TLS 1.3 (mutual TLS), interleaved in rounds so
 * all three see the same machine load. A dial is: new client, handshake with certificate
 * checks, one 64-byte request on a new stream, full response. The TCP fault proxy completes the
 * TCP handshake locally (only data is delayed), so the `tcp+tls1.3` row adds the SYN round trip
 * (2 x latency) before the ClientHello; `tcp+tls1.3 raw` is the proxy without it.
 *
 * Build first (the fault proxy comes from @agentlink/test-harness): npx nx run-many -t build
 *   npx tsx tools/bench/quic-dial.ts [--dials 30] [--latencies 10,25,50] [--lib <dir of @matrixai/quic>]
 *                                   [--coalesce 1] [--out tools/bench/results/quic-dial.json]
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus } from 'node:os';
import { createTcpFaultProxy, createUdpFaultProxy } from '@agentlink/test-harness';
import { createBenchPki } from './quic-bench-pki';
import { loadQuic, startQuicEchoServer, dialQuic, quicRequest, startTlsEchoServer, dialTls } from './quic-bench-echo';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) {
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1] ?? '');
}
const DIALS = Number(args.get('dials') ?? 30);
const LATENCIES = (args.get('latencies') ?? '10,25,50').split(',').map(Number);
const OUT = args.get('out') ?? 'tools/bench/results/quic-dial.json';
const config = args.get('coalesce') === '1' ? { coalesceSends: true } : {};

const pki = createBenchPki();
const quic = await loadQuic(args.get('lib'));
const payload = new Uint8Array(64).fill(0x61);
const quicRetryOn = await startQuicEchoServer(quic, pki, { serverOptions: { retry: true }, config });
const quicRetryOff = await startQuicEchoServer(quic, pki, { serverOptions: { retry: false }, config });
if (!quicRetryOff.retryOptional) {
  throw new Error(
    'this @matrixai/quic has no `retry` server option: apply patches/ (npm install runs patch-package)',
  );
}
const tls = await startTlsEchoServer(pki);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const r2 = (x: number): number => Math.round(x * 100) / 100;

interface Result {
  latencyMsEachWay: number;
  variant: string;
  dials: number;
  p50Ms: number;
  p90Ms: number;
  minMs: number;
  roundTrips: number;
}
const results: Result[] = [];
const ratios: Array<Record<string, number>> = [];

for (const latencyMs of LATENCIES) {
  const faults = { latencyMs };
  const pOn = await createUdpFaultProxy({ target: { host: '127.0.0.1', port: quicRetryOn.port }, faults });
  const pOff = await createUdpFaultProxy({ target: { host: '127.0.0.1', port: quicRetryOff.port }, faults });
  const pTcp = await createTcpFaultProxy({ target: { host: '127.0.0.1', port: tls.port }, faults });
  const variants: Array<[string, () => Promise<void>]> = [
    ['tcp+tls1.3 raw', async () => {
      const c = await dialTls(pki, pTcp.address.port);
      await c.request(payload);
      c.close();
    }],
    ['tcp+tls1.3', async () => {
      // + the SYN/SYN-ACK round trip the userspace proxy completes locally
      const c = await dialTls(pki, pTcp.address.port, 2 * latencyMs);
      await c.request(payload);
      c.close();
    }],
    ['quic retry on', async () => {
      const d = await dialQuic(quic, pki, pOn.address.port, config);
      await quicRequest(d.conn, payload);
      void d.close();
    }],
    ['quic retry off', async () => {
      const d = await dialQuic(quic, pki, pOff.address.port, config);
      await quicRequest(d.conn, payload);
      void d.close();
    }],
  ];
  const samples = new Map<string, number[]>(variants.map(([n]) => [n, []]));
  for (const [, f] of variants) await f(); // warm-up
  for (let i = 0; i < DIALS; i++) {
    for (const [name, f] of variants) {
      const t = performance.now();
      await f();
      samples.get(name)!.push(performance.now() - t);
    }
  }
  for (const [name, xs] of samples) {
    const row: Result = {
      latencyMsEachWay: latencyMs, variant: name, dials: xs.length, p50Ms: r2(pct(xs, 50)), p90Ms: r2(pct(xs, 90)),
      minMs: r2(Math.min(...xs)), roundTrips: r2(pct(xs, 50) / (2 * latencyMs)),
    };
    results.push(row);
    console.log(
      `${String(latencyMs).padStart(3)} ms each way  ${name.padEnd(15)} p50 ${row.p50Ms.toFixed(1).padStart(6)}  ` +
        `p90 ${row.p90Ms.toFixed(1).padStart(6)}  min ${row.minMs.toFixed(1).padStart(6)} ms  ~${row.roundTrips} RTT`,
    );
  }
  const tcp = pct(samples.get('tcp+tls1.3')!, 50);
  const tcpRaw = pct(samples.get('tcp+tls1.3 raw')!, 50);
  const off = pct(samples.get('quic retry off')!, 50);
  const on = pct(samples.get('quic retry on')!, 50);
  const ratio = {
    latencyMsEachWay: latencyMs, retryOffVsTcp: r2(off / tcp), retryOnVsTcp: r2(on / tcp),
    retryOffVsTcpRaw: r2(off / tcpRaw), retryOnVsTcpRaw: r2(on / tcpRaw),
  };
  ratios.push(ratio);
  console.log(
    `${String(latencyMs).padStart(3)} ms each way  p50 ratio QUIC/TCP+TLS: ` +
      `retry off ${ratio.retryOffVsTcp}, retry on ${ratio.retryOnVsTcp}` +
      `  (vs raw proxy TCP without SYN RTT: ${ratio.retryOffVsTcpRaw}, ${ratio.retryOnVsTcpRaw})`,
  );
  await Promise.all([pOn.close(), pOff.close(), pTcp.close()]);
}
await Promise.all([quicRetryOn.close(), quicRetryOff.close(), tls.close()]);
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, JSON.stringify({
  date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length,
  dials: DIALS, config, results, ratios,
}, null, 2));
console.log(`wrote ${OUT}`);
process.exit(0);
