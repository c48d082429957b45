/**
 * Stress: pushes N request/response exchanges (default 1,000,000) through one agentlink
 * connection pair per transport, sampling heap after GC and active handles; fails (exit 1) when
 * the heap after GC grows by more than --heap-limit-mb (default 10) between the warmed-up
 * baseline and the end (each taken after a second without traffic), when any handle type grows,
 * when any request fails, or when the transports' message counters disagree with the number of
 * exchanges.
 *
 * One "message" here is one request and its response (two frames on the wire, each counted by
 * the transport's messageSent/messageReceived events).
 *
 * Build first: npx nx run-many -t build   (workspace packages resolve to their dist/)
 * Run:   npx node --expose-gc --import tsx tools/stress/message-stress.ts [--messages 1000000]
 *        [--transport quic|tcp|both] [--concurrency 16] [--payload 256] [--samples 10]
 *        [--heap-limit-mb 10] [--out tools/stress/results/<file>.json]
 * CI:    npx node --expose-gc --import tsx tools/stress/message-stress.ts --messages 100000
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMarkdownTable, runLoad } from '@agentlink/test-harness';
import { ms, writeResult } from '../bench/bench-output';
import { openConnectionPair, type TransportKind } from '../bench/connection-pair';
import { describeMachine, machineInfo } from '../bench/machine-info';
import { grownHandles, sampleProcess, type ProcessSample } from './process-sample';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    transport: { type: 'string', default: 'both' },
    concurrency: { type: 'string', default: '16' },
    payload: { type: 'string', default: '256' },
    samples: { type: 'string', default: '10' },
    'heap-limit-mb': { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});
const MESSAGES = Number(values.messages);
const CONCURRENCY = Number(values.concurrency);
const PAYLOAD = Number(values.payload);
const SAMPLES = Number(values.samples);
const HEAP_LIMIT_MIB = Number(values['heap-limit-mb']);
const KINDS: TransportKind[] = values.transport === 'both' ? ['tcp', 'quic'] : [values.transport as TransportKind];
for (const [name, n] of Object.entries({ MESSAGES, CONCURRENCY, PAYLOAD, SAMPLES, HEAP_LIMIT_MIB })) {
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${n}`);
}
if (!KINDS.every((k) => k === 'quic' || k === 'tcp'))
  throw new Error(`--transport must be quic, tcp or both, got ${values.transport}`);
if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  throw new Error('run with --expose-gc: npx node --expose-gc --import tsx tools/stress/message-stress.ts');
}

interface ChunkSample extends ProcessSample {
  readonly messages: number;
  readonly chunkRps: number;
  readonly chunkP50Ms: number;
  readonly chunkP99Ms: number;
  readonly errors: number;
}

interface StressResult {
  readonly transport: TransportKind;
  readonly messages: number;
  readonly durationS: number;
  readonly messagesPerSec: number;
  readonly errors: number;
  readonly framesSent: { client: number; server: number };
  readonly framesReceived: { client: number; server: number };
  readonly baseline: ProcessSample;
  readonly end: ProcessSample;
  readonly afterClose: ProcessSample;
  readonly beforeOpen: ProcessSample;
  readonly heapGrowthMiB: number;
  readonly maxHeapAfterGcMiB: number;
  readonly grownHandlesWhileOpen: Record<string, { before: number; after: number }>;
  readonly grownHandlesAfterClose: Record<string, { before: number; after: number }>;
  readonly samples: ChunkSample[];
  readonly failures: string[];
  readonly passed: boolean;
}

/** A gap with no traffic: a timer armed for the last burst's data fires and lapses, as on an idle connection. */
const SETTLE_MS = 1_000;

async function settledSample(startedAt: number): Promise<ProcessSample> {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return sampleProcess(startedAt);
}

async function stress(kind: TransportKind): Promise<StressResult> {
  const t0 = performance.now();
  const beforeOpen = await sampleProcess(t0);
  const pair = await openConnectionPair(kind);
  const counts = { clientSent: 0, clientReceived: 0, serverSent: 0, serverReceived: 0 };
  pair.client.on('messageSent', () => void counts.clientSent++);
  pair.client.on('messageReceived', () => void counts.clientReceived++);
  pair.server.on('messageSent', () => void counts.serverSent++);
  pair.server.on('messageReceived', () => void counts.serverReceived++);
  const payload = new Uint8Array(PAYLOAD).fill(7);
  const call = async (): Promise<void> => {
    const answer = await pair.connection.request('echo', payload);
    if (answer.byteLength !== PAYLOAD) throw new Error(`echo returned ${answer.byteLength} bytes`);
  };
  // Warm up (JIT, buffer pools, QUIC congestion window) before the baseline, so the baseline
  // is steady state and growth measured from it is growth with the message count.
  const warmup = Math.min(20_000, Math.max(1_000, Math.round(MESSAGES / 50)));
  await runLoad({ concurrency: CONCURRENCY, requests: warmup, call });
  const startedAt = performance.now();
  const baseline = await settledSample(startedAt);
  const samples: ChunkSample[] = [];
  const failures: string[] = [];
  let done = 0;
  let errors = 0;
  let runMs = 0;
  const chunk = Math.ceil(MESSAGES / SAMPLES);
  while (done < MESSAGES) {
    const requests = Math.min(chunk, MESSAGES - done);
    const result = await runLoad({ concurrency: CONCURRENCY, requests, call });
    done += requests;
    errors += result.errors;
    runMs += result.durationMs;
    const sample: ChunkSample = {
      ...(await sampleProcess(startedAt)),
      messages: done,
      chunkRps: Math.round(result.throughputPerSec),
      chunkP50Ms: ms(result.latency.p50),
      chunkP99Ms: ms(result.latency.p99),
      errors: result.errors,
    };
    samples.push(sample);
    console.log(
      `[${kind}] ${done.toLocaleString('en')} / ${MESSAGES.toLocaleString('en')}  ${sample.chunkRps} msg/s  ` +
        `p50 ${sample.chunkP50Ms} ms  p99 ${sample.chunkP99Ms} ms  heap after GC ${sample.heapAfterGcMiB} MiB  ` +
        `rss ${sample.rssMiB} MiB  handles ${sample.handles}  errors ${result.errors}` +
        (result.errors > 0 ? ` ${JSON.stringify(result.errorsByCode)}` : ''),
    );
  }
  // Handles are compared once the traffic has settled: right after a burst, a QUIC connection's
  // tail-loss probe timer may still be armed for data just acknowledged (it lapses within ~1.25 PTO).
  const end = await settledSample(startedAt);
  const frames = {
    clientSent: counts.clientSent,
    clientReceived: counts.clientReceived,
    serverSent: counts.serverSent,
    serverReceived: counts.serverReceived,
  };
  await pair.close();
  const afterClose = await sampleProcess(startedAt);

  const heapGrowthMiB = Math.round((end.heapAfterGcMiB - baseline.heapAfterGcMiB) * 100) / 100;
  const grownWhileOpen = grownHandles(baseline, end, ['Immediate']);
  const grownAfterClose = grownHandles(beforeOpen, afterClose);
  if (heapGrowthMiB > HEAP_LIMIT_MIB)
    failures.push(`heap after GC grew ${heapGrowthMiB} MiB (limit ${HEAP_LIMIT_MIB} MiB)`);
  if (Object.keys(grownWhileOpen).length > 0)
    failures.push(`handles grew while open: ${JSON.stringify(grownWhileOpen)}`);
  if (Object.keys(grownAfterClose).length > 0)
    failures.push(`handles left after close: ${JSON.stringify(grownAfterClose)}`);
  if (errors > 0) failures.push(`${errors} requests failed`);
  const expected = warmup + MESSAGES;
  for (const [name, value] of Object.entries(frames)) {
    if (value !== expected) failures.push(`${name} counted ${value} messages, expected ${expected}`);
  }
  return {
    transport: kind,
    messages: MESSAGES,
    durationS: Math.round(runMs / 100) / 10,
    messagesPerSec: Math.round((MESSAGES / runMs) * 1000),
    errors,
    framesSent: { client: frames.clientSent, server: frames.serverSent },
    framesReceived: { client: frames.clientReceived, server: frames.serverReceived },
    baseline,
    end,
    afterClose,
    beforeOpen,
    heapGrowthMiB,
    maxHeapAfterGcMiB: Math.max(...samples.map((s) => s.heapAfterGcMiB)),
    grownHandlesWhileOpen: grownWhileOpen,
    grownHandlesAfterClose: grownAfterClose,
    samples,
    failures,
    passed: failures.length === 0,
  };
}

const machine = machineInfo();
console.log(
  `message stress: ${MESSAGES.toLocaleString('en')} request/response exchanges per transport, ` +
    `concurrency ${CONCURRENCY}, payload ${PAYLOAD} B`,
);
console.log(`machine: ${describeMachine(machine)}`);
const results: StressResult[] = [];
for (const kind of KINDS) results.push(await stress(kind));

console.log(
  `\n${renderMarkdownTable(
    results.map((r) => ({
      transport: r.transport,
      messages: r.messages,
      'duration (s)': r.durationS,
      'msg/s': r.messagesPerSec,
      errors: r.errors,
      'heap after GC, baseline (MiB)': r.baseline.heapAfterGcMiB,
      'heap after GC, end (MiB)': r.end.heapAfterGcMiB,
      'growth (MiB)': r.heapGrowthMiB,
      'max heap after GC (MiB)': r.maxHeapAfterGcMiB,
      'handles baseline → end → after close':
        `${r.baseline.handles} → ${r.end.handles} → ${r.afterClose.handles} ` +
        `(before open ${r.beforeOpen.handles})`,
      verdict: r.passed ? 'pass' : 'FAIL',
    })),
  )}`,
);
for (const r of results) for (const f of r.failures) console.log(`FAIL [${r.transport}] ${f}`);
const command =
  `npx node --expose-gc --import tsx tools/stress/message-stress.ts ${process.argv.slice(2).join(' ')}`.trim();
const file = writeResult(
  'message-stress',
  {
    command,
    machine,
    messages: MESSAGES,
    concurrency: CONCURRENCY,
    payloadBytes: PAYLOAD,
    heapLimitMiB: HEAP_LIMIT_MIB,
    results,
  },
  values.out ?? path.join(here, 'results', `message-stress-${MESSAGES}-${KINDS.join('-')}.json`),
);
console.log(`\nwrote ${file}`);
process.exitCode = results.every((r) => r.passed) ? 0 : 1;
