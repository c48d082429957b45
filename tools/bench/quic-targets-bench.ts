/**
 * Issue 14's "Must show" speed targets in one run, both transports through @agentlink/transport:
 * a table with every target, both figures, the judged value and pass/FAIL, plus JSON.
 *
 *   seq-p50             loopback 64 B sequential request/response, p50 QUIC/TCP        <= 2
 *   streams-throughput  loopback 64 B, 16 concurrent requests, req/s QUIC/TCP           >= 0.30
 *   bulk-256k           loopback 256 KiB echo, one QUIC connection, MiB/s both ways     >= 100
 *   dial-0rtt           dial → first response, 25 ms each way, QUIC 0-RTT / TCP eager   <= 0.40
 *   dial-eager          same, QUIC without ticket, Retry off, eager / TCP eager         <= 0.70
 *   loss-p99            1 % kernel loss, 16 streams, 25 ms each way, p99 QUIC/TCP       <= 0.6
 *   fleet-0ms           fleet, 8 executors, 0 ms tasks, tasks/s QUIC/TCP                >= 0.5
 *
 * seq-p50 measures both connections in alternating blocks of 250 requests (interleaved-echo.ts),
 * fleet-0ms both fleets in 4 alternating batches each (fleet-interleaved.ts).
 * Loopback lines and the fleet run in this process (server and client share it, as in
 * loopback-bench.ts and fleet-bench.ts). The dial and loss lines run on the namespace rig
 * (netns-rig.ts: separate client and server processes, real TCP, kernel loss, the delay in the
 * test-harness UDP fault proxy under a VXLAN overlay, so TCP's SYN crosses it too); they need root,
 * iproute2 and nftables and are reported as skipped otherwise. The 0-RTT line says "not
 * implemented" until zero-rtt.ts has a plan. With --rounds N every line is measured N times, the
 * verdict is on the median.
 *
 * Build first: npx nx run-many -t build
 * Run: npx tsx tools/bench/quic-targets-bench.ts [--rounds 1] [--only seq-p50,loss-p99,...]
 *      [--requests 5000] [--throughput-seconds 5] [--bulk-seconds 10] [--dials 30] [--delay 25]
 *      [--loss-seconds 60] [--fleet-tasks 1500] [--fleet-tcp-tasks 3000] [--out file.json] [--prefix alspeed]
 *      [--quic '{"maxUdpPayloadBytes":1422}']   (QUIC options of both peers, loopback and loss lines)
 * The loss line runs 60 s per transport and round: TCP does ~140 requests/s there, and its p99 sits
 * at the edge of its 200 ms minimum retransmission timeout, so in 15 s rounds (~2,200 requests,
 * 22 above p99) it swung between 190 and 476 ms from round to round (BENCHMARKS.md).
 * The rig's namespace prefix: --prefix, else $BENCH_NETNS_PREFIX, else 'alspeed'.
 * Writes tools/bench/results/quic-targets.json (or --out). Exit code 0 even when targets fail.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { namespaceSupport, renderMarkdownTable } from '@agentlink/test-harness';
import { writeResult } from './bench-output';
import { percentile } from './dial-sample';
import { describeMachine, lscpuSummary, machineInfo } from './machine-info';
import { startNetnsRig, type NetnsRig } from './netns-rig';
import * as targets from './quic-targets';
import type { QuicTuning } from './netns-peer-protocol';
import type { TargetId, TargetSample, TargetSettings } from './quic-targets';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1' },
    only: { type: 'string' },
    requests: { type: 'string', default: '5000' },
    'throughput-seconds': { type: 'string', default: '5' },
    'bulk-seconds': { type: 'string', default: '10' },
    dials: { type: 'string', default: '30' },
    delay: { type: 'string', default: '25' },
    'loss-seconds': { type: 'string', default: '60' },
    'fleet-tasks': { type: 'string', default: '1500' },
    'fleet-tcp-tasks': { type: 'string', default: '3000' },
    out: { type: 'string' },
    /** Namespace name prefix of the rig (one per worktree when several run at once). */
    prefix: { type: 'string' },
    quic: { type: 'string', default: '{}' },
  },
});
const settings: TargetSettings = {
  requests: Number(values.requests),
  throughputSeconds: Number(values['throughput-seconds']),
  bulkSeconds: Number(values['bulk-seconds']),
  dials: Number(values.dials),
  delayMs: Number(values.delay),
  lossSeconds: Number(values['loss-seconds']),
  quic: JSON.parse(values.quic) as QuicTuning,
  fleetTasks: { quic: Number(values['fleet-tasks']), tcp: Number(values['fleet-tcp-tasks']) },
};
const ROUNDS = Number(values.rounds);
const selected = new Set((values.only?.split(',') ?? targets.TARGETS.map((t) => t.id)) as TargetId[]);
const definitions = targets.TARGETS.filter((t) => selected.has(t.id));
const loads = (): number[] => loadavg().map((l) => Math.round(l * 100) / 100);

const machine = machineInfo();
const loadAtStart = loads();
console.log(`QUIC speed targets (issue 14): ${describeMachine(machine)}, load averages ${loadAtStart.join(' / ')}`);
const support = namespaceSupport();
const rigNeeded = definitions.some((d) => d.needsRig);
const rigUnavailable = !support.available ? `skipped: ${support.reason}` : undefined;
const rig: NetnsRig | undefined =
  rigNeeded && rigUnavailable === undefined
    ? await startNetnsRig({ delayMs: settings.delayMs, prefix: values.prefix })
    : undefined;

const samples = new Map<TargetId, TargetSample[]>(definitions.map((d) => [d.id, []]));
const record = (id: TargetId, sample: TargetSample): void => {
  samples.get(id)?.push(sample);
  const verdict = targets.verdict(
    targets.TARGETS.find((t) => t.id === id)!,
    sample.value,
    sample.unavailable,
  );
  console.log(
    `  ${id}: ${sample.value ?? '—'} (${verdict}); QUIC ${sample.quic}; TCP ${sample.tcp}; load ${loads()[0]}`,
  );
};
const attempt = async (
  ids: TargetId[],
  run: () => Promise<Partial<Record<TargetId, TargetSample>>>,
): Promise<void> => {
  const wanted = ids.filter((id) => selected.has(id));
  if (wanted.length === 0) return;
  try {
    const results = await run();
    for (const id of wanted)
      record(id, results[id] ?? { value: null, quic: '—', tcp: '—', unavailable: 'no result', detail: null });
  } catch (error) {
    const reason = `error: ${error instanceof Error ? error.message : String(error)}`;
    for (const id of wanted) record(id, { value: null, quic: '—', tcp: '—', unavailable: reason, detail: null });
  }
};
const onRig = async (
  run: (r: NetnsRig) => Promise<Partial<Record<TargetId, TargetSample>>>,
): Promise<Partial<Record<TargetId, TargetSample>>> => {
  if (rig === undefined) throw new Error(rigUnavailable ?? 'no rig');
  return run(rig);
};

try {
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`round ${round} of ${ROUNDS}`);
    await attempt(['seq-p50'], async () => ({ 'seq-p50': await targets.measureSequential(settings) }));
    await attempt(['streams-throughput'], async () => ({
      'streams-throughput': await targets.measureStreams(settings),
    }));
    await attempt(['bulk-256k'], async () => ({ 'bulk-256k': await targets.measureBulk(settings) }));
    await attempt(['dial-0rtt', 'dial-eager'], () => onRig((r) => targets.measureDials(r, settings)));
    await attempt(['loss-p99'], () => onRig(async (r) => ({ 'loss-p99': await targets.measureLoss(r, settings) })));
    await attempt(['fleet-0ms'], async () => ({ 'fleet-0ms': await targets.measureFleet(settings) }));
  }
} finally {
  await rig?.close();
}

const lines = definitions.map((d) => {
  const xs = samples.get(d.id)!;
  const figures = xs.flatMap((x) => (x.value === null || x.unavailable !== undefined ? [] : [x.value]));
  const median = figures.length > 0 ? percentile(figures, 50) : null;
  const reason =
    figures.length === 0 ? (xs.find((x) => x.unavailable !== undefined)?.unavailable ?? 'no figure') : undefined;
  return { ...d, rounds: xs, values: xs.map((x) => x.value), median, verdict: targets.verdict(d, median, reason) };
});
const table = lines.map((l) => ({
  target: l.id,
  measure: l.measure,
  limit: `${l.comparison} ${l.limit}`,
  'QUIC (last round)': l.rounds.at(-1)?.quic ?? '—',
  'TCP (last round)': l.rounds.at(-1)?.tcp ?? '—',
  'value per round': l.values.map((v) => v ?? '—').join(' / '),
  median: l.median,
  verdict: l.verdict,
  'issue (filed)': l.issueToday,
}));
const loadAtEnd = loads();
console.log(`\n${renderMarkdownTable(table, { fractionDigits: 3 })}\n`);
console.log(`load averages at start ${loadAtStart.join(' / ')}, at end ${loadAtEnd.join(' / ')}`);
const command = `npx tsx tools/bench/quic-targets-bench.ts ${process.argv.slice(2).join(' ')}`.trim();
const out = writeResult(
  'quic-targets',
  {
    command,
    machine,
    lscpu: lscpuSummary(),
    loadAverages: { start: loadAtStart, end: loadAtEnd },
    settings,
    rounds: ROUNDS,
    lines,
  },
  values.out,
);
console.log(`wrote ${out}`);
process.exit(0);
