/**
 * Loopback request/response latency (p50, p99, p99.9) and throughput of @agentlink/transport,
 * QUIC and TLS 1.3/TCP side by side in one run: payloads 64 B, 4 KiB and 256 KiB, 1 and 16
 * concurrent streams (QUIC: one stream per request; TCP: frames multiplexed on one socket).
 * Cases alternate between the transports so background load hits both alike; each case gets a
 * fresh connection pair. Latency counts successful requests only; failed ones are in errors/errorsByCode.
 *
 * Build first: npx nx run-many -t build
 * Run: npx tsx tools/bench/loopback-bench.ts [--requests 2000] [--large-requests 200]
 *      [--max-seconds 20] [--transports quic,tcp] [--payloads 64,4096,262144] [--streams 1,16]
 * Writes tools/bench/results/loopback.json.
 */
import { parseArgs } from 'node:util';
import { renderMarkdownTable } from '@agentlink/test-harness';
import { writeResult } from './bench-output';
import { openConnectionPair, type TransportKind } from './connection-pair';
import { describeEchoRow, measureEchoLoad, type EchoLoadRow } from './echo-load';
import { describeMachine, machineInfo } from './machine-info';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    'large-requests': { type: 'string', default: '200' },
    'max-seconds': { type: 'string', default: '20' },
    transports: { type: 'string', default: 'quic,tcp' },
    payloads: { type: 'string', default: '64,4096,262144' },
    streams: { type: 'string', default: '1,16' },
  },
});
const REQUESTS = Number(values.requests);
const LARGE_REQUESTS = Number(values['large-requests']);
const MAX_MS = Number(values['max-seconds']) * 1000;
const KINDS = values.transports.split(',') as TransportKind[];
const PAYLOADS = values.payloads.split(',').map(Number);
const STREAMS = values.streams.split(',').map(Number);

interface Row extends EchoLoadRow {
  transport: TransportKind;
}

const machine = machineInfo();
console.log(`loopback bench: ${describeMachine(machine)}`);
const rows: Row[] = [];
for (const payloadBytes of PAYLOADS) {
  const requests = payloadBytes >= 64 * 1024 ? LARGE_REQUESTS : REQUESTS;
  for (const streams of STREAMS) {
    for (const kind of KINDS) {
      // A fresh connection per case: a connection broken by one case must not fail the next.
      const pair = await openConnectionPair(kind);
      try {
        const row: Row = {
          transport: kind,
          ...(await measureEchoLoad(pair.connection, {
            payloadBytes,
            streams,
            requests,
            durationMs: MAX_MS,
            warmup: { requests: Math.max(20, Math.round(requests / 10)), durationMs: MAX_MS / 4 },
          })),
        };
        rows.push(row);
        console.log(`${kind} ${payloadBytes} B × ${streams}: ${describeEchoRow(row)}`);
      } finally {
        await pair.close();
      }
    }
  }
}

const ratios = PAYLOADS.flatMap((payloadBytes) =>
  STREAMS.map((streams) => {
    const q = rows.find((r) => r.transport === 'quic' && r.payloadBytes === payloadBytes && r.streams === streams);
    const t = rows.find((r) => r.transport === 'tcp' && r.payloadBytes === payloadBytes && r.streams === streams);
    if (q === undefined || t === undefined) return undefined;
    return {
      payloadBytes,
      streams,
      'QUIC/TCP p50': Math.round((q.p50Ms / t.p50Ms) * 100) / 100,
      'QUIC/TCP p99': Math.round((q.p99Ms / t.p99Ms) * 100) / 100,
      'QUIC/TCP throughput': Math.round((q.requestsPerSec / t.requestsPerSec) * 100) / 100,
    };
  }),
).filter((r) => r !== undefined);

console.log(
  `\n${renderMarkdownTable(
    rows.map((r) => ({
      transport: r.transport,
      payload: r.payloadBytes,
      streams: r.streams,
      requests: r.requests,
      errors: r.errors,
      'p50 (ms)': r.p50Ms,
      'p99 (ms)': r.p99Ms,
      'p99.9 (ms)': r.p999Ms,
      'req/s': r.requestsPerSec,
      'MiB/s (both ways)': r.mibPerSec,
    })),
    { fractionDigits: 3 },
  )}`,
);
if (ratios.length > 0) console.log(`\n${renderMarkdownTable(ratios)}`);
const command = `npx tsx tools/bench/loopback-bench.ts ${process.argv.slice(2).join(' ')}`.trim();
const result = {
  command,
  machine,
  requests: REQUESTS,
  largeRequests: LARGE_REQUESTS,
  maxSecondsPerCase: MAX_MS / 1000,
  rows,
  ratios,
};
console.log(`\nwrote ${writeResult('loopback', result)}`);
