/**
 * Connection set-up: time from dial() to the first response on the new connection, QUIC versus
 * TLS 1.3 over TCP, through the test-harness fault proxy adding 0, 10, 25 and 50 ms each way
 * (UDP proxy for QUIC, TCP proxy for TCP). Each sample is a fresh connection (dial, one 64 B
 * request, close); the column "round trips" is (median − median at 0 ms) / RTT, i.e. how many
 * round trips the set-up plus one request costs.
 *
 * Expected from the protocols (agentlink's dial also waits for the listener's Hello frame, sent
 * once it accepted the client certificate: +1 round trip on both):
 *   TCP: SYN (1) + TLS 1.3 (1) + Hello (≈1) + request (1) ≈ 4 RTT
 *   QUIC with Retry (the @matrixai/quic server always sends one): Retry (1) + handshake (1) +
 *   Hello (≈1) + request (1) ≈ 4 RTT; without Retry (`quic-retry-off`: QuicTransport `retry: false`
 *   on the listener) one fewer.
 *
 * Caveat: the TCP fault proxy is a user-space relay. The kernel completes the client's TCP
 * handshake with the proxy at once, so the SYN round trip is NOT delayed and TCP's measured
 * figure is one RTT short of a real path. The comparison table therefore also shows TCP with
 * that round trip added back (derived: measured + 2 × delay). UDP has no such shortcut.
 *
 * Build first: npx nx run-many -t build
 * Run: npx tsx tools/bench/setup-bench.ts [--samples 10] [--delays 0,10,25,50] [--transports quic,quic-retry-off,tcp]
 * Writes tools/bench/results/setup.json.
 */
import { parseArgs } from 'node:util';
import {
  createTcpFaultProxy,
  createUdpFaultProxy,
  renderMarkdownTable,
  type FaultProxy,
} from '@agentlink/test-harness';
import { ms, writeResult } from './bench-output';
import { createTransport, pairCredentials, startEchoServer, type TransportKind } from './connection-pair';
import { describeMachine, machineInfo } from './machine-info';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '10' },
    delays: { type: 'string', default: '0,10,25,50' },
    transports: { type: 'string', default: 'quic,quic-retry-off,tcp' },
  },
});
const SAMPLES = Number(values.samples);
const DELAYS = values.delays.split(',').map(Number);
/** 'quic-retry-off' is QUIC with the listener's Retry switched off (QuicTransport `retry: false`). */
type Variant = TransportKind | 'quic-retry-off';
const KINDS = values.transports.split(',') as Variant[];
const kindOf = (variant: Variant): TransportKind => (variant === 'tcp' ? 'tcp' : 'quic');

interface Row {
  transport: Variant;
  delayEachWayMs: number;
  rttAddedMs: number;
  samples: number;
  failures: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
  handshakeMedianMs: number;
  roundTrips: number | null;
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2 === 1
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const machine = machineInfo();
console.log(`setup bench: ${describeMachine(machine)}`);
const credentials = await pairCredentials();
const servers = new Map(
  await Promise.all(
    KINDS.map(
      async (k) => [k, await startEchoServer(kindOf(k), k === 'quic-retry-off' ? { retry: false } : {})] as const,
    ),
  ),
);
const rows: Row[] = [];
const payload = new Uint8Array(64).fill(1);
try {
  for (const delay of DELAYS) {
    for (const kind of KINDS) {
      const server = servers.get(kind)!;
      const factory = kindOf(kind) === 'quic' ? createUdpFaultProxy : createTcpFaultProxy;
      const proxy: FaultProxy = await factory({
        target: { host: '127.0.0.1', port: server.port },
        faults: { latencyMs: delay },
        seed: 7,
      });
      const client = createTransport(kindOf(kind), credentials.client, { connectTimeoutMs: 20_000 });
      const handshakes: number[] = [];
      client.on('connectionOpened', ({ handshakeMs }) => handshakes.push(handshakeMs));
      const times: number[] = [];
      let failures = 0;
      try {
        // One unmeasured dial first: the first TLS context and JIT warm-up are not set-up cost.
        await (await client.dial({ host: proxy.address.host, port: proxy.address.port })).close({ force: true });
        handshakes.length = 0;
        for (let i = 0; i < SAMPLES; i += 1) {
          const started = performance.now();
          try {
            const connection = await client.dial({ host: proxy.address.host, port: proxy.address.port });
            await connection.request('echo', payload);
            times.push(performance.now() - started);
            await connection.close({ force: true });
          } catch (error) {
            failures += 1;
            console.log(
              `${kind} +${delay} ms: dial failed: ` +
                `${(error as { code?: string }).code ?? ''} ${(error as Error).message}`,
            );
          }
        }
      } finally {
        await client.close({ force: true });
        await proxy.close();
      }
      const base = rows.find((r) => r.transport === kind && r.delayEachWayMs === 0);
      const row: Row = {
        transport: kind,
        delayEachWayMs: delay,
        rttAddedMs: delay * 2,
        samples: times.length,
        failures,
        minMs: ms(Math.min(...times)),
        medianMs: ms(median(times)),
        maxMs: ms(Math.max(...times)),
        handshakeMedianMs: ms(median(handshakes)),
        roundTrips:
          delay > 0 && base !== undefined
            ? Math.round(((median(times) - base.medianMs) / (delay * 2)) * 100) / 100
            : null,
      };
      rows.push(row);
      console.log(
        `${kind} +${delay} ms each way: median ${row.medianMs} ms (min ${row.minMs}, max ${row.maxMs}), ` +
          `dial handshake ${row.handshakeMedianMs} ms, ${row.roundTrips ?? '-'} round trips`,
      );
    }
  }
} finally {
  await Promise.allSettled([...servers.values()].map((s) => s.transport.close({ force: true })));
}

const comparison = DELAYS.map((delay) => {
  const q = rows.find((r) => r.transport === 'quic' && r.delayEachWayMs === delay);
  const qOff = rows.find((r) => r.transport === 'quic-retry-off' && r.delayEachWayMs === delay);
  const t = rows.find((r) => r.transport === 'tcp' && r.delayEachWayMs === delay);
  if (t === undefined) return undefined;
  const tcpWithSyn = t.medianMs + 2 * delay;
  const ratio = (a: Row | undefined, b: number): number | null =>
    a === undefined ? null : Math.round((a.medianMs / b) * 100) / 100;
  return {
    'added each way (ms)': delay,
    'QUIC Retry on (ms)': q?.medianMs ?? null,
    'QUIC Retry off (ms)': qOff?.medianMs ?? null,
    'TCP measured (ms)': t.medianMs,
    'TCP + SYN RTT (ms, derived)': ms(tcpWithSyn),
    'Retry on / TCP+SYN': ratio(q, tcpWithSyn),
    'Retry off / TCP+SYN': ratio(qOff, tcpWithSyn),
  };
}).filter((r) => r !== undefined);

const table = rows.map((r) => ({
  transport: r.transport,
  'added each way (ms)': r.delayEachWayMs,
  samples: r.samples,
  failures: r.failures,
  'min (ms)': r.minMs,
  'median (ms)': r.medianMs,
  'max (ms)': r.maxMs,
  'dial handshake median (ms)': r.handshakeMedianMs,
  'round trips': r.roundTrips,
}));
console.log(`\n${renderMarkdownTable(table)}`);
if (comparison.length > 0) console.log(`\n${renderMarkdownTable(comparison)}`);
const command = `npx tsx tools/bench/setup-bench.ts ${process.argv.slice(2).join(' ')}`.trim();
console.log(`\nwrote ${writeResult('setup', { command, machine, samples: SAMPLES, rows, comparison })}`);
