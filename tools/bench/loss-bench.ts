/**
 * Loss and head-of-line blocking on real TCP and real UDP: 16 concurrent request streams on ONE
 * connection between two network namespaces, 25 ms added each way, 0 / 0.5 / 1 / 2 % of packets
 * dropped by the kernel (nftables) in both directions. QUIC sends one stream per request (a lost
 * packet should delay only its own stream); TLS 1.3/TCP multiplexes frames on one byte stream (a
 * loss holds every request behind it until the kernel's retransmission arrives). Client and server
 * are separate Node processes running @agentlink/transport; how the path is built, and why the
 * delay sits under a VXLAN overlay instead of in a TCP relay: netns-rig.ts.
 *
 * Needs Linux, root, iproute2 and nftables (Debian packages iproute2, nftables).
 * Build first: npx nx run-many -t build
 * Run: npx tsx tools/bench/loss-bench.ts [--seconds 15] [--losses 0,0.005,0.01,0.02]
 *      [--delay 25] [--streams 16] [--payload 4096] [--listeners quic,tcp] [--out file.json]
 * Writes tools/bench/results/loss.json (or --out).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { renderMarkdownTable } from '@agentlink/test-harness';
import { writeResult } from './bench-output';
import { describeEchoRow } from './echo-load';
import { describeMachine, lscpuSummary, machineInfo } from './machine-info';
import { runLossCase, type LossRow } from './netns-cases';
import type { ListenerName } from './netns-peer-protocol';
import { startNetnsRig } from './netns-rig';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    losses: { type: 'string', default: '0,0.005,0.01,0.02' },
    delay: { type: 'string', default: '25' },
    streams: { type: 'string', default: '16' },
    payload: { type: 'string', default: '4096' },
    listeners: { type: 'string', default: 'quic,tcp' },
    out: { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const LOSSES = values.losses.split(',').map(Number);
const DELAY = Number(values.delay);
const LISTENERS = values.listeners.split(',') as ListenerName[];
const caseOptions = {
  streams: Number(values.streams),
  payloadBytes: Number(values.payload),
  seconds: SECONDS,
  warmupRequests: 4 * Number(values.streams),
};
const METHOD =
  'client and server in two network namespaces (separate Node processes), VXLAN overlay through the ' +
  'test-harness UDP fault proxy in a third namespace (delay each way), kernel loss by nftables in both directions';

const machine = machineInfo();
console.log(`loss bench: ${describeMachine(machine)}\n${METHOD}`);
const rig = await startNetnsRig({ delayMs: DELAY });
const rows: LossRow[] = [];
const failed: string[] = [];
try {
  for (const lossRate of LOSSES) {
    for (const listener of LISTENERS) {
      console.log(
        `${listener} loss ${lossRate * 100} %: measuring for ${SECONDS} s (load ${loadavg()[0]!.toFixed(2)})`,
      );
      try {
        const row = await runLossCase(rig, listener, lossRate, caseOptions);
        rows.push(row);
        const dropped = `kernel dropped ${row.measuredLossPct} % of packets`;
        console.log(`${listener} loss ${lossRate * 100} %: ${describeEchoRow(row)}, ${dropped}`);
      } catch (error) {
        failed.push(`${listener} loss ${lossRate}: ${error instanceof Error ? error.message : String(error)}`);
        console.log(`${listener} loss ${lossRate * 100} %: no result: ${failed.at(-1)}`);
      }
    }
  }
} finally {
  await rig.close();
}

const r2 = (x: number): number => Math.round(x * 100) / 100;
const comparison = LOSSES.map((lossRate) => {
  const q = rows.find((r) => r.transport === 'quic' && r.lossRate === lossRate);
  const t = rows.find((r) => r.transport === 'tcp' && r.lossRate === lossRate);
  if (q === undefined || t === undefined) return undefined;
  return {
    'loss (%)': lossRate * 100,
    'QUIC/TCP p50': r2(q.p50Ms / t.p50Ms),
    'QUIC/TCP p99': r2(q.p99Ms / t.p99Ms),
    'QUIC/TCP p99.9': r2(q.p999Ms / t.p999Ms),
    'QUIC/TCP req/s': r2(q.requestsPerSec / t.requestsPerSec),
  };
}).filter((r) => r !== undefined);

const table = rows.map((r) => ({
  listener: r.listener,
  'loss (%)': r.lossRate * 100,
  'dropped (%)': r.measuredLossPct,
  requests: r.requests,
  errors: r.errors,
  'p50 (ms)': r.p50Ms,
  'p99 (ms)': r.p99Ms,
  'p99.9 (ms)': r.p999Ms,
  'max (ms)': r.maxMs,
  'req/s': r.requestsPerSec,
  'MiB/s': r.mibPerSec,
}));
console.log(`\n${renderMarkdownTable(table)}`);
if (comparison.length > 0) console.log(`\n${renderMarkdownTable(comparison)}`);
const command = `npx tsx tools/bench/loss-bench.ts ${process.argv.slice(2).join(' ')}`.trim();
const out = writeResult(
  'loss',
  {
    command,
    machine,
    lscpu: lscpuSummary(),
    loadAverage1mAtEnd: Number(loadavg()[0]!.toFixed(2)),
    method: METHOD,
    delayEachWayMs: DELAY,
    ...caseOptions,
    rows,
    comparison,
    failed,
  },
  values.out,
);
console.log(`\nwrote ${out}`);
process.exitCode = failed.length === 0 ? 0 : 1;
