/**
 * Loss and head-of-line blocking: 16 concurrent request streams on ONE connection through the
 * test-harness fault proxy with 25 ms added each way and 0, 0.5, 1 and 2 % loss, p50/p99 of
 * request latency for QUIC (one stream per request: a lost packet should delay only its own
 * stream) and TLS 1.3/TCP (frames multiplexed on one byte stream: a loss stalls every request
 * behind it). Each case runs in its own child process with a fresh connection and a deadline
 * (seconds + 90 s); a case that does not return is killed and listed under "hung" in the JSON.
 *
 * CAVEAT — TCP "loss" is a stall, and it flatters TCP. The TCP proxy cannot drop bytes (the
 * kernel retransmits on loopback), so it holds the hit chunk and everything behind it for
 * one-way delay + max(200 ms, RTT), like one fast retransmission, with no congestion-window
 * collapse and no RTO back-off. Real TCP on a lossy path does worse than these TCP figures.
 * UDP loss is real: the datagram is dropped and QUIC's own recovery handles it.
 *
 * Build first: npx nx run-many -t build
 * Run: npx tsx tools/bench/loss-bench.ts [--seconds 15] [--losses 0,0.005,0.01,0.02]
 *      [--delay 25] [--streams 16] [--payload 4096] [--transports quic,tcp]
 * Writes tools/bench/results/loss.json.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTcpFaultProxy, createUdpFaultProxy, renderMarkdownTable, runLoad, type FaultProxy } from '@agentlink/test-harness';
import { ms, writeResult } from './bench-output';
import { createTransport, pairCredentials, startEchoServer, type TransportKind } from './connection-pair';
import { describeMachine, machineInfo } from './machine-info';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    losses: { type: 'string', default: '0,0.005,0.01,0.02' },
    delay: { type: 'string', default: '25' },
    streams: { type: 'string', default: '16' },
    payload: { type: 'string', default: '4096' },
    transports: { type: 'string', default: 'quic,tcp' },
    case: { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const LOSSES = values.losses.split(',').map(Number);
const DELAY = Number(values.delay);
const STREAMS = Number(values.streams);
const PAYLOAD = Number(values.payload);
const KINDS = values.transports.split(',') as TransportKind[];
const CAVEAT =
  'TCP loss is modelled as a stall (the hit chunk and all behind it held one-way delay + max(200 ms, RTT); no cwnd collapse, no RTO back-off): it flatters TCP.';

interface Row {
  transport: TransportKind;
  lossRate: number;
  requests: number;
  errors: number;
  errorsByCode: Record<string, number>;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  requestsPerSec: number;
  proxyDropped: number;
  proxyStalled: number;
}

const machine = machineInfo();
const COMMAND = `npx tsx tools/bench/loss-bench.ts ${process.argv.slice(2).join(' ')}`.trim();
const rows: Row[] = [];
const hung: string[] = [];

/** Measures one case in this process: a fresh server, proxy, client and connection. */
async function runCase(kind: TransportKind, lossRate: number): Promise<Row> {
  const credentials = await pairCredentials();
  const payload = new Uint8Array(PAYLOAD).fill(9);
  const server = await startEchoServer(kind);
  const factory = kind === 'quic' ? createUdpFaultProxy : createTcpFaultProxy;
  const proxy: FaultProxy = await factory({ target: { host: '127.0.0.1', port: server.port }, faults: { latencyMs: DELAY }, seed: 42 });
  const client = createTransport(kind, credentials.client, { connectTimeoutMs: 20_000 });
  try {
    const connection = await client.dial({ host: proxy.address.host, port: proxy.address.port });
    const call = async (): Promise<void> => {
      await connection.request('echo', payload, { timeoutMs: 30_000 });
    };
    await runLoad({ concurrency: STREAMS, requests: STREAMS * 4, call }); // warm-up without loss
    proxy.setFaults({ lossRate });
    const r = await runLoad({ concurrency: STREAMS, durationMs: SECONDS * 1000, call });
    const stats = proxy.stats;
    return {
      transport: kind,
      lossRate,
      requests: r.count,
      errors: r.errors,
      errorsByCode: r.errorsByCode,
      p50Ms: ms(r.latency.p50),
      p90Ms: ms(r.latency.p90),
      p99Ms: ms(r.latency.p99),
      maxMs: ms(r.latency.max),
      requestsPerSec: Math.round(r.throughputPerSec),
      proxyDropped: stats.upstream.droppedPackets + stats.downstream.droppedPackets,
      proxyStalled: stats.upstream.stalledPackets + stats.downstream.stalledPackets,
    };
  } finally {
    await client.close({ force: true });
    await server.transport.close({ force: true });
    await proxy.close();
  }
}

/**
 * Runs one case in a child process with a deadline. QUIC under loss has been seen to spin the
 * main thread for good (timers stop, nothing returns); a child can be killed and the case
 * recorded as hung, and the other cases still run.
 */
function runCaseInChild(kind: TransportKind, lossRate: number): Promise<Row | undefined> {
  const deadlineMs = SECONDS * 1000 + 90_000;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), '--case', `${kind}:${lossRate}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let row: Row | undefined;
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^ROW (.*)$/m.exec(out);
      if (match !== null) row = JSON.parse(match[1]!) as Row;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (row === undefined) console.log(`${kind} loss ${lossRate * 100} %: no result (${signal === 'SIGKILL' ? `killed after ${deadlineMs / 1000} s: hung` : `exit ${code}`})`);
      resolve(row);
    });
  });
}

if (values.case !== undefined) {
  const [kind, loss] = values.case.split(':');
  const row = await runCase(kind as TransportKind, Number(loss));
  console.log(`ROW ${JSON.stringify(row)}`);
  process.exit(0);
}

console.log(`loss bench: ${describeMachine(machine)}\n${CAVEAT}`);
for (const lossRate of LOSSES) {
  for (const kind of KINDS) {
    console.log(`${kind} loss ${lossRate * 100} %: measuring for ${SECONDS} s`);
    const row = await runCaseInChild(kind, lossRate);
    if (row === undefined) {
      hung.push(`${kind} loss ${lossRate}`);
      continue;
    }
    rows.push(row);
    console.log(`${kind} loss ${lossRate * 100} %: p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, ${row.requestsPerSec} req/s, ${row.requests} requests, ${row.errors} errors${row.errors > 0 ? ` ${JSON.stringify(row.errorsByCode)}` : ''}`);
  }
}

const comparison = LOSSES.map((lossRate) => {
  const q = rows.find((r) => r.transport === 'quic' && r.lossRate === lossRate);
  const t = rows.find((r) => r.transport === 'tcp' && r.lossRate === lossRate);
  if (q === undefined || t === undefined) return undefined;
  return { 'loss (%)': lossRate * 100, 'QUIC p50': q.p50Ms, 'TCP p50 (stall model)': t.p50Ms, 'QUIC p99': q.p99Ms, 'TCP p99 (stall model)': t.p99Ms, 'QUIC/TCP p99': Math.round((q.p99Ms / t.p99Ms) * 100) / 100 };
}).filter((r) => r !== undefined);

console.log(
  `\n${renderMarkdownTable(rows.map((r) => ({ transport: r.transport, 'loss (%)': r.lossRate * 100, requests: r.requests, errors: r.errors, 'p50 (ms)': r.p50Ms, 'p90 (ms)': r.p90Ms, 'p99 (ms)': r.p99Ms, 'max (ms)': r.maxMs, 'req/s': r.requestsPerSec, 'dropped (UDP)': r.proxyDropped, 'stalled (TCP)': r.proxyStalled })))}`,
);
if (comparison.length > 0) console.log(`\n${renderMarkdownTable(comparison)}`);
console.log(`\n${CAVEAT}`);
console.log(`wrote ${writeResult('loss', { command: COMMAND, machine, caveat: CAVEAT, hung, delayEachWayMs: DELAY, streams: STREAMS, payloadBytes: PAYLOAD, secondsPerCase: SECONDS, rows, comparison })}`);
