/**
 * The "Must show" speed targets of issue 14, each as a measurement of both transports through
 * our own API in one run and a verdict against its limit. quic-targets-bench.ts runs them.
 */
import { openConnectionPair, type TransportKind } from './connection-pair';
import { measureEchoLoad, type EchoLoadOptions, type EchoLoadRow } from './echo-load';
import { measureFleetInterleaved } from './fleet-interleaved';
import { measureInterleaved } from './interleaved-echo';
import { runDialCases, runLossCase } from './netns-cases';
import type { DialVariant, QuicTuning } from './netns-peer-protocol';
import type { NetnsRig } from './netns-rig';
import { zeroRttSupport } from './zero-rtt';

export type TargetId =
  'seq-p50' | 'streams-throughput' | 'bulk-256k' | 'dial-0rtt' | 'dial-eager' | 'loss-p99' | 'fleet-0ms';

/** What one round measured for one target. */
export interface TargetSample {
  /** The figure judged against the limit (a ratio QUIC/TCP, or QUIC's MiB/s). */
  readonly value: number | null;
  readonly quic: string;
  readonly tcp: string;
  /** Set when the line cannot be measured (not implemented, no namespaces, a failed case). */
  readonly unavailable?: string;
  readonly detail: unknown;
}

export interface TargetDefinition {
  readonly id: TargetId;
  readonly measure: string;
  readonly limit: number;
  readonly comparison: '<=' | '>=';
  /** The issue's figure for the code of the day it was filed. */
  readonly issueToday: string;
  /** Needs the namespace rig (root, iproute2, nftables). */
  readonly needsRig: boolean;
}

export const TARGETS: readonly TargetDefinition[] = [
  {
    id: 'seq-p50',
    measure: 'loopback 64 B sequential request/response: p50 QUIC / TCP',
    limit: 2,
    comparison: '<=',
    issueToday: '13–25x',
    needsRig: false,
  },
  {
    id: 'streams-throughput',
    measure: 'loopback 64 B, 16 concurrent requests (QUIC: on the lane): req/s QUIC / TCP',
    limit: 0.3,
    comparison: '>=',
    issueToday: '2–9 %',
    needsRig: false,
  },
  {
    id: 'bulk-256k',
    measure: 'loopback 256 KiB echo on one QUIC connection: MiB/s (both directions)',
    limit: 100,
    comparison: '>=',
    issueToday: '7–8',
    needsRig: false,
  },
  {
    id: 'dial-0rtt',
    measure: 'dial → first response, 25 ms each way: QUIC 0-RTT / TCP + TLS 1.3 (eager)',
    limit: 0.4,
    comparison: '<=',
    issueToday: 'no 0-RTT',
    needsRig: true,
  },
  {
    id: 'dial-eager',
    measure: 'same, QUIC without a ticket, Retry off, eager / TCP + TLS 1.3 (eager)',
    limit: 0.7,
    comparison: '<=',
    issueToday: '0.69–0.70x',
    needsRig: true,
  },
  {
    id: 'loss-p99',
    measure: '1 % real loss, 16 streams (4 KiB), 25 ms each way: p99 QUIC / TCP',
    limit: 0.6,
    comparison: '<=',
    issueToday: 'TCP was a model',
    needsRig: true,
  },
  {
    id: 'fleet-0ms',
    measure: 'fleet, 8 executors, 0 ms tasks: tasks/s QUIC / TCP',
    limit: 0.5,
    comparison: '>=',
    issueToday: '1/4–1/21',
    needsRig: false,
  },
];

export interface TargetSettings {
  readonly requests: number;
  readonly throughputSeconds: number;
  readonly bulkSeconds: number;
  readonly dials: number;
  readonly delayMs: number;
  readonly lossSeconds: number;
  /** QUIC options of both peers on the loopback and loss lines (transport defaults when empty). */
  readonly quic: QuicTuning;
  readonly fleetTasks: { readonly quic: number; readonly tcp: number };
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const unavailable = (reason: string): TargetSample => ({
  value: null,
  quic: '—',
  tcp: '—',
  unavailable: reason,
  detail: null,
});

/** Echo load on a fresh loopback connection pair per transport, QUIC first then TCP. */
async function loopbackPair(options: EchoLoadOptions, quic: QuicTuning): Promise<Record<TransportKind, EchoLoadRow>> {
  const rows: Partial<Record<TransportKind, EchoLoadRow>> = {};
  for (const kind of ['quic', 'tcp'] as const) {
    const pair = await openConnectionPair(kind, kind === 'quic' ? quic : {});
    try {
      rows[kind] = await measureEchoLoad(pair.connection, options);
    } finally {
      await pair.close();
    }
  }
  return rows as Record<TransportKind, EchoLoadRow>;
}

/** Both transports open at once and measured in alternating blocks (interleaved-echo.ts). */
export async function measureSequential(s: TargetSettings): Promise<TargetSample> {
  const quic = await openConnectionPair('quic', s.quic);
  try {
    const tcp = await openConnectionPair('tcp');
    try {
      const options = { payloadBytes: 64, requests: s.requests, blockRequests: 250, warmupRequests: 1000 };
      const rows = await measureInterleaved(quic.connection, tcp.connection, options);
      return {
        value: r3(rows.a.p50Us / rows.b.p50Us),
        quic: `p50 ${rows.a.p50Ms} ms`,
        tcp: `p50 ${rows.b.p50Ms} ms`,
        detail: { quic: rows.a, tcp: rows.b },
      };
    } finally {
      await tcp.close();
    }
  } finally {
    await quic.close();
  }
}

export async function measureStreams(s: TargetSettings): Promise<TargetSample> {
  const load: EchoLoadOptions = {
    payloadBytes: 64,
    streams: 16,
    durationMs: s.throughputSeconds * 1000,
    warmup: { requests: 320, durationMs: 2_000 },
  };
  const rows = await loopbackPair(load, s.quic);
  // For the record: the same load with a QUIC stream per request (no lane), as before lanes.
  const pair = await openConnectionPair('quic', { ...s.quic, laneMaxBytes: 0 });
  const noLanes = await measureEchoLoad(pair.connection, load).finally(() => pair.close());
  return {
    value: r3(rows.quic.requestsPerSec / rows.tcp.requestsPerSec),
    quic: `${rows.quic.requestsPerSec} req/s on the lane (a stream each: ${noLanes.requestsPerSec})`,
    tcp: `${rows.tcp.requestsPerSec} req/s`,
    detail: { ...rows, quicWithoutLanes: noLanes },
  };
}

export async function measureBulk(s: TargetSettings): Promise<TargetSample> {
  const rows = await loopbackPair({
    payloadBytes: 256 * 1024,
    streams: 1,
    durationMs: s.bulkSeconds * 1000,
    warmup: { requests: 4 },
  }, s.quic);
  return {
    value: rows.quic.mibPerSec,
    quic: `${rows.quic.mibPerSec} MiB/s`,
    tcp: `${rows.tcp.mibPerSec} MiB/s`,
    detail: rows,
  };
}

/** Both dial lines from one interleaved run on the rig (0-RTT only when the transport has it). */
export async function measureDials(
  rig: NetnsRig,
  s: TargetSettings,
): Promise<Record<'dial-0rtt' | 'dial-eager', TargetSample>> {
  const support = zeroRttSupport();
  const variants: DialVariant[] = [
    { name: 'tcp eager', listener: 'tcp', dialMode: 'eager' },
    { name: 'quic retry off eager', listener: 'quic-retry-off', dialMode: 'eager' },
    ...(support.available
      ? [{ name: 'quic 0-rtt', listener: 'quic-0rtt', dialMode: 'eager', zeroRtt: true } as const]
      : []),
  ];
  const rows = await runDialCases(rig, variants, { dials: s.dials, delayMs: s.delayMs });
  const [tcp, eager, zeroRtt] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0] | undefined];
  const figure = (row: (typeof rows)[0]): string => `p50 ${row.p50Ms} ms (${row.roundTrips} RTT)`;
  const eagerLine: TargetSample = {
    value: r3(eager.p50Ms / tcp.p50Ms),
    quic: figure(eager),
    tcp: figure(tcp),
    detail: rows,
  };
  if (zeroRtt === undefined)
    return { 'dial-eager': eagerLine, 'dial-0rtt': unavailable(support.available ? 'no result' : support.reason) };
  const fellBack =
    zeroRtt.earlyDataFallbacks > 0
      ? `${zeroRtt.earlyDataFallbacks} of ${zeroRtt.dials} dials fell back to 1-RTT`
      : undefined;
  const zeroLine: TargetSample = {
    value: r3(zeroRtt.p50Ms / tcp.p50Ms),
    quic: figure(zeroRtt),
    tcp: figure(tcp),
    detail: rows,
    ...(fellBack ? { unavailable: fellBack } : {}),
  };
  return { 'dial-eager': eagerLine, 'dial-0rtt': zeroLine };
}

export async function measureLoss(rig: NetnsRig, s: TargetSettings): Promise<TargetSample> {
  const options = { streams: 16, payloadBytes: 4096, seconds: s.lossSeconds, warmupRequests: 64, quic: s.quic };
  const quic = await runLossCase(rig, 'quic', 0.01, options);
  const tcp = await runLossCase(rig, 'tcp', 0.01, options);
  const figure = (row: typeof quic): string =>
    `p99 ${row.p99Ms} ms (p50 ${row.p50Ms}, ${row.requestsPerSec} req/s, ${row.errors} errors)`;
  return { value: r3(quic.p99Ms / tcp.p99Ms), quic: figure(quic), tcp: figure(tcp), detail: { quic, tcp } };
}

/** Both fleets up at once, measured in alternating batches (fleet-interleaved.ts). */
export async function measureFleet(s: TargetSettings): Promise<TargetSample> {
  const { quic, tcp } = await measureFleetInterleaved({
    executors: 8,
    batchTasks: s.fleetTasks,
    batches: 4,
    warmupTasks: 1000,
  });
  const lost = quic.completedOnce !== quic.tasks || tcp.completedOnce !== tcp.tasks;
  return {
    value: r3(quic.tasksPerSec / tcp.tasksPerSec),
    quic: `${quic.tasksPerSec} tasks/s (${quic.cpuMsPerTask} ms CPU/task)`,
    tcp: `${tcp.tasksPerSec} tasks/s (${tcp.cpuMsPerTask} ms CPU/task)`,
    detail: { quic, tcp },
    ...(lost ? { unavailable: 'a task was lost or booked twice' } : {}),
  };
}

/** pass / FAIL against the limit, or why there is no verdict. */
export function verdict(definition: TargetDefinition, value: number | null, reason?: string): string {
  if (reason !== undefined) return reason;
  if (value === null || !Number.isFinite(value)) return 'no figure';
  const ok = definition.comparison === '<=' ? value <= definition.limit : value >= definition.limit;
  return ok ? 'pass' : 'FAIL';
}
