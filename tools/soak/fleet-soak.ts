/**
 * Soak: runs the reference fleet (or, with --target transport, one agentlink connection pair)
 * under steady load for --duration seconds (default 3600), writes a sample every
 * --sample-every seconds (default 60: heap after GC, RSS, handles, task and request latency
 * percentiles, calls, errors) as JSON lines to tools/soak/results/<name>.jsonl, and fails
 * (exit 1) on drift: heap after GC growing more than 10 MiB from the first third of the run to
 * the last, a rising floor of active handles, p99 more than doubling, more than 0.1 % failed
 * calls, or any task lost or invented by the fleet. Fleet calls are the coordinator's assignments
 * (health pings are reported apart: see driveFleet).
 *
 * Fleet target: coordinator + analyser + --executors executors (apps/qe-fleet's agents, in this
 * process, each with its own transport and socket) on long-lived connections; a batch of
 * --rate × --batch-seconds tasks of --task-ms each is dispatched every --batch-seconds (a new
 * coordinator ledger per batch), --fail-rate of executions fail and ask the analyser.
 *
 * Build first: npx nx run-many -t build
 * Run:  npx node --expose-gc --import tsx tools/soak/fleet-soak.ts [--duration 3600]
 *       [--sample-every 60] [--target fleet|transport] [--transport quic|tcp] [--executors 4]
 *       [--rate 10] [--task-ms 50] [--fail-rate 0.05] [--name <file stem>]
 * Quick check: ... fleet-soak.ts --duration 120 --sample-every 20
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderMarkdownTable } from '@agentlink/test-harness';
import { openConnectionPair, type TransportKind } from '../bench/connection-pair';
import { LatencyHistogram, startFleetRig } from '../bench/fleet-rig';
import { describeMachine, machineInfo } from '../bench/machine-info';
import { sampleProcess } from '../stress/process-sample';
import { judgeDrift, type SoakSample } from './drift-checks';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '3600' },
    'sample-every': { type: 'string', default: '60' },
    target: { type: 'string', default: 'fleet' },
    transport: { type: 'string', default: 'quic' },
    executors: { type: 'string', default: '4' },
    rate: { type: 'string', default: '10' },
    'batch-seconds': { type: 'string', default: '10' },
    'task-ms': { type: 'string', default: '50' },
    'fail-rate': { type: 'string', default: '0.05' },
    name: { type: 'string' },
  },
});
const DURATION_S = Number(values.duration);
const SAMPLE_S = Number(values['sample-every']);
const TARGET = values.target as 'fleet' | 'transport';
const TRANSPORT = values.transport as TransportKind;
const EXECUTORS = Number(values.executors);
const RATE = Number(values.rate);
const BATCH_S = Number(values['batch-seconds']);
const TASK_MS = Number(values['task-ms']);
const FAIL_RATE = Number(values['fail-rate']);
if (!(DURATION_S > 0 && SAMPLE_S > 0 && RATE > 0 && BATCH_S > 0 && TASK_MS >= 0 && EXECUTORS >= 1))
  throw new Error('durations, rate and executors must be positive');
if (TARGET !== 'fleet' && TARGET !== 'transport')
  throw new Error(`--target must be fleet or transport, got ${TARGET}`);
if (TRANSPORT !== 'quic' && TRANSPORT !== 'tcp') throw new Error(`--transport must be quic or tcp, got ${TRANSPORT}`);
if (typeof (globalThis as { gc?: unknown }).gc !== 'function')
  throw new Error('run with --expose-gc: npx node --expose-gc --import tsx tools/soak/fleet-soak.ts');

const name = values.name ?? `${TARGET}-${TRANSPORT}-${DURATION_S}s`;
mkdirSync(path.join(here, 'results'), { recursive: true });
const jsonl = path.join(here, 'results', `${name}.jsonl`);
writeFileSync(jsonl, '');
const write = (line: unknown): void => appendFileSync(jsonl, `${JSON.stringify(line)}\n`);
const machine = machineInfo();
const command = `npx node --expose-gc --import tsx tools/soak/fleet-soak.ts ${process.argv.slice(2).join(' ')}`.trim();
const config = {
  target: TARGET,
  transport: TRANSPORT,
  durationS: DURATION_S,
  sampleEveryS: SAMPLE_S,
  executors: EXECUTORS,
  ratePerSec: RATE,
  batchSeconds: BATCH_S,
  taskMs: TASK_MS,
  failRate: FAIL_RATE,
};
write({ type: 'start', command, machine, config });
console.log(`soak ${name}: ${describeMachine(machine)}`);

/** Counters of one sample window. */
class Window {
  tasks = new LatencyHistogram();
  requests = new LatencyHistogram();
  calls = 0;
  errors = 0;
  errorsByKind: Record<string, number> = {};
  lost = 0;
  phantom = 0;
  duplicates = 0;
  lateDuplicates = 0;
  redispatches = 0;
  overruns = 0;
  pings = 0;
  pingFailures: Record<string, number> = {};
  fail(kind: string): void {
    this.errors += 1;
    this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + 1;
  }
}

let window = new Window();
const stop = AbortSignal.timeout(DURATION_S * 1000);
const sleep = (msDelay: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, msDelay)));

/** Fleet: one batch every BATCH_S; the work is the tasks, the calls are the coordinator's requests. */
async function driveFleet(): Promise<() => Promise<void>> {
  const rig = await startFleetRig({
    executors: EXECUTORS,
    transport: TRANSPORT,
    taskMs: TASK_MS,
    failRate: FAIL_RATE,
  });
  rig.coordinatorNode.link.telemetrySource.on('requestCompleted', ((event: {
    method: string;
    latencyMs: number;
    outcome: string;
  }) => {
    // Health pings are counted apart: closing a batch's coordinator aborts its pings in flight
    // (outcome 'error'), which is not a failure of the fleet; their timeouts are still reported.
    if (event.method === 'fleet.ping') {
      window.pings += 1;
      if (event.outcome !== 'ok') window.pingFailures[event.outcome] = (window.pingFailures[event.outcome] ?? 0) + 1;
      return;
    }
    window.calls += 1;
    if (event.outcome === 'ok') window.requests.record(event.latencyMs);
    else window.fail(`${event.method} ${event.outcome}`);
  }) as never);
  const perBatch = Math.max(1, Math.round(RATE * BATCH_S));
  const loop = (async () => {
    while (!stop.aborted) {
      const started = performance.now();
      const record = await rig.runBatch(perBatch, AbortSignal.any([stop, AbortSignal.timeout(BATCH_S * 1000 * 30)]));
      const a = record.accounting;
      if (stop.aborted && a.completedOnce < a.tasks) break; // the run ended mid-batch: not a loss
      window.tasks.addEncoded(record.taskLatency);
      window.lost += a.lost;
      window.phantom += a.phantom - record.lateFromEarlierBatches;
      window.lateDuplicates += record.lateFromEarlierBatches;
      window.duplicates += a.duplicates;
      window.redispatches += record.redispatches;
      if (a.lost > 0) window.fail('task lost');
      if (a.phantom - record.lateFromEarlierBatches > 0) window.fail('phantom result');
      const elapsed = performance.now() - started;
      if (elapsed > BATCH_S * 1000) window.overruns += 1;
      await sleep(BATCH_S * 1000 - elapsed);
    }
  })();
  return async () => {
    await loop;
    await rig.close();
  };
}

/** Transport: paced request/response on one connection, RATE per second over 4 in-flight calls. */
async function driveTransport(): Promise<() => Promise<void>> {
  const pair = await openConnectionPair(TRANSPORT);
  const payload = new Uint8Array(1024).fill(3);
  const gapMs = (4 / RATE) * 1000;
  const worker = async (): Promise<void> => {
    while (!stop.aborted) {
      const started = performance.now();
      window.calls += 1;
      try {
        await pair.connection.request('echo', payload, { timeoutMs: 10_000 });
        window.requests.record(performance.now() - started);
      } catch (error) {
        window.fail((error as { code?: string }).code ?? 'UNKNOWN');
      }
      window.tasks.record(performance.now() - started);
      await sleep(gapMs - (performance.now() - started));
    }
  };
  const workers = Promise.all(Array.from({ length: 4 }, worker));
  return async () => {
    await workers;
    await pair.close();
  };
}

const startedAt = performance.now();
const finish = TARGET === 'fleet' ? await driveFleet() : await driveTransport();
const samples: Array<SoakSample & Record<string, unknown>> = [];
while (!stop.aborted) {
  // Scheduled against the start, so the time a sample takes (GC under load) does not add up.
  const due = startedAt + (samples.length + 1) * SAMPLE_S * 1000;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, due - performance.now()));
    stop.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
  if (stop.aborted && performance.now() - startedAt < (samples.length + 0.5) * SAMPLE_S * 1000) break;
  const w = window;
  window = new Window();
  const processSample = await sampleProcess(startedAt);
  const tasks = w.tasks.summary();
  const requests = w.requests.summary();
  const sample = {
    type: 'sample',
    minute: Math.round((processSample.atS / 60) * 100) / 100,
    ...processSample,
    tasksCompleted: tasks.count,
    taskP50Ms: tasks.p50,
    taskP95Ms: tasks.p95,
    taskP99Ms: tasks.p99,
    calls: w.calls,
    p50Ms: requests.p50,
    p95Ms: requests.p95,
    p99Ms: requests.p99,
    maxMs: requests.max,
    errors: w.errors,
    errorsByKind: w.errorsByKind,
    lost: w.lost,
    phantom: w.phantom,
    duplicates: w.duplicates,
    lateDuplicates: w.lateDuplicates,
    redispatches: w.redispatches,
    batchOverruns: w.overruns,
    pings: w.pings,
    pingFailures: w.pingFailures,
  };
  samples.push(sample);
  write(sample);
  console.log(
    `[${sample.minute} min] heap after GC ${sample.heapAfterGcMiB} MiB, rss ${sample.rssMiB} MiB, ` +
      `handles ${sample.handles}, ` +
      (TARGET === 'fleet' ? `tasks ${sample.tasksCompleted} (p99 ${sample.taskP99Ms} ms), ` : '') +
      `calls ${sample.calls}, request p50/p99 ${sample.p50Ms}/${sample.p99Ms} ms, errors ${sample.errors}`,
  );
}
await finish();
const afterClose = await sampleProcess(startedAt);
const verdict = judgeDrift(samples);
write({ type: 'verdict', ...verdict, afterClose });
console.log(
  `\n${renderMarkdownTable(
    samples.map((s) => ({
      minute: s.minute,
      'heap after GC (MiB)': s.heapAfterGcMiB,
      'rss (MiB)': s.rssMiB as number,
      handles: s.handles,
      ...(TARGET === 'fleet' ? { tasks: s.tasksCompleted as number, 'task p99 (ms)': s.taskP99Ms as number } : {}),
      calls: s.calls,
      'p50 (ms)': s.p50Ms as number,
      'p99 (ms)': s.p99Ms,
      errors: s.errors,
    })),
  )}`,
);
for (const check of verdict.checks) console.log(`${check.passed ? 'pass' : 'FAIL'}  ${check.name}: ${check.detail}`);
console.log(`after close: handles ${afterClose.handles} ${JSON.stringify(afterClose.handlesByType)}`);
console.log(`\nverdict: ${verdict.passed ? 'PASS' : 'FAIL'} — samples in ${jsonl}`);
process.exitCode = verdict.passed ? 0 : 1;
