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
 *      [--delay 25] [--streams 16] [--payload 4096] [--listeners quic,tcp] [--rounds 1] [--out file.json]
 *      [--quic '{"congestionControl":"cubic","maxUdpPayloadBytes":1422}']   (QUIC options of both peers)
 * With --rounds N the whole sweep runs N times (QUIC and TCP alternate per case); ratios are per
 * round and their median. Namespaces are named after $BENCH_NETNS_PREFIX (netns-rig.ts).
 * Writes tools/bench/results/loss.json (or --out).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { renderMarkdownTable } from '@agentlink/test-harness';
import { writeResult } from './bench-output';
import { describeEchoRow } from './echo-load';
import { describeMachine, lscpuSummary, machineInfo } from './machine-info';
import { runLossCase, type LossRow } from './netns-cases';
import type { ListenerName, QuicTuning } from './netns-peer-protocol';
import { startNetnsRig } from './netns-rig';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    losses: { type: 'string', default: '0,0.005,0.01,0.02' },
    delay: { type: 'string', default: '25' },
    streams: { type: 'string', default: '16' },
    payload: { type: 'string', default: '4096' },
    listeners: { type: 'string', default: 'quic,tcp' },
    rounds: { type: 'string', default: '1' },
    out: { type: 'string' },
    quic: { type: 'string', default: '{}' },
  },
});
const SECONDS = Number(values.seconds);
const LOSSES = values.losses.split(',').map(Number);
const DELAY = Number(values.delay);
const LISTENERS = values.listeners.split(',') as ListenerName[];
const ROUNDS = Number(values.rounds);
const caseOptions = {
  streams: Number(values.streams),
  payloadBytes: Number(values.payload),
  seconds: SECONDS,
  warmupRequests: 4 * Number(values.streams),
  quic: JSON.parse(values.quic) as QuicTuning,
};
const METHOD =
  'client and server in two network namespaces (separate Node processes), VXLAN overlay through the ' +
  'test-harness UDP fault proxy in a third namespace (delay each way), kernel loss by nftables in both directions';

const machine = machineInfo();
console.log(`loss bench: ${describeMachine(machine)}\n${METHOD}`);
const rig = await startNetnsRig({ delayMs: DELAY });
type RoundRow = LossRow & { readonly round: number; readonly loadAtStart: number };
const rows: RoundRow[] = [];
const failed: string[] = [];
async function measureCase(round: number, lossRate: number, listener: ListenerName): Promise<void> {
  const loadAtStart = Number(loadavg()[0]!.toFixed(2));
  const label = `round ${round}: ${listener} loss ${lossRate * 100} %`;
  console.log(`${label}: measuring for ${SECONDS} s (load ${loadAtStart})`);
  try {
    const row = { ...(await runLossCase(rig, listener, lossRate, caseOptions)), round, loadAtStart };
    rows.push(row);
    console.log(`${label}: ${describeEchoRow(row)}, kernel dropped ${row.measuredLossPct} % of packets`);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    failed.push(`round ${round} ${listener} loss ${lossRate}: ${why}`);
    console.log(`${label}: no result: ${failed.at(-1)}`);
  }
}

try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const lossRate of LOSSES) for (const listener of LISTENERS) await measureCase(round, lossRate, listener);
  }
} finally {
  await rig.close();
}

const r2 = (x: number): number => Math.round(x * 100) / 100;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const comparison = LOSSES.map((lossRate) => {
  const pairs: { q: RoundRow; t: RoundRow }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const q = rows.find((r) => r.transport === 'quic' && r.lossRate === lossRate && r.round === round);
    const t = rows.find((r) => r.transport === 'tcp' && r.lossRate === lossRate && r.round === round);
    if (q !== undefined && t !== undefined) pairs.push({ q, t });
  }
  if (pairs.length === 0) return undefined;
  const ratios = (f: (r: LossRow) => number): string => pairs.map(({ q, t }) => r2(f(q) / f(t))).join(' / ');
  return {
    'loss (%)': lossRate * 100,
    'QUIC/TCP p50 per round': ratios((r) => r.p50Ms),
    'QUIC/TCP p99 per round': ratios((r) => r.p99Ms),
    'QUIC/TCP p99 median': r2(median(pairs.map(({ q, t }) => q.p99Ms / t.p99Ms))),
    'QUIC/TCP p99.9 per round': ratios((r) => r.p999Ms),
    'QUIC/TCP req/s per round': ratios((r) => r.requestsPerSec),
  };
}).filter((r) => r !== undefined);

const table = rows.map((r) => ({
  round: r.round,
  'load 1m': r.loadAtStart,
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
