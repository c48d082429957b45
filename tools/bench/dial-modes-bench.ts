/**
 * Dial to first response, @agentlink/transport, both dial modes on both transports, in one run:
 * QuicTransport (Retry off and Retry on listeners) and TcpTlsTransport, each with
 * `dialMode: 'confirmed'` (dial() waits for the listener's hello) and `dialMode: 'eager'`
 * (dial() resolves once the server is verified; the request rides right behind our Finished).
 * Through the test-harness fault proxy (UDP for QUIC, TCP for TLS) with each --latencies value
 * added each way; latency 0 dials the listener directly (loopback: the dial's own CPU cost).
 *
 * One dial = a new connection from the variant's client transport (created once, as a long-lived
 * agent would; --fresh 1 makes a new client transport per dial instead), handshake with mutual
 * certificate checks (plus the hello in confirmed mode), one 64 B request, full answer. Closing
 * the connection is not timed, and the next dial waits until the closed connection's last
 * datagrams are through the proxy (4 x latency + 20 ms), so no dial pays for another's teardown.
 * Variants run interleaved dial by dial, so every variant sees the same machine load. The TCP proxy completes
 * the TCP handshake locally (it delays data only), so `+SYN` rows add the SYN round trip
 * (2 x latency) of a real path to the raw figure. CPU/dial is the whole process (client, server
 * and proxy share it) during the timed part.
 *
 * Build first (dist of @agentlink/transport and test-harness): npx nx run-many -t build
 *   npx tsx tools/bench/dial-modes-bench.ts [--dials 35] [--latencies 0,10,25,50] [--fresh 1]
 *       [--out tools/bench/results/dial-modes.json]
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { QuicTransport, TcpTlsTransport, type Connection, type DialMode, type Transport } from '@agentlink/transport';
import { createTcpFaultProxy, createUdpFaultProxy, type FaultProxy } from '@agentlink/test-harness';
import { writeResult } from './bench-output';
import { echo, pairCredentials } from './connection-pair';
import { summariseDials, timeDialToFirstResponse, type DialSample, type DialSummary } from './dial-sample';
import { describeMachine, lscpuSummary, machineInfo } from './machine-info';

const { values } = parseArgs({
  options: {
    dials: { type: 'string', default: '35' },
    latencies: { type: 'string', default: '0,10,25,50' },
    fresh: { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});
const DIALS = Number(values.dials);
const LATENCIES = values.latencies.split(',').map(Number);
const FRESH = values.fresh === '1';
const payload = new Uint8Array(64).fill(0x61);
const machine = machineInfo();
console.log(`dial-modes bench: ${describeMachine(machine)}`);
const credentials = await pairCredentials();

type Listener = 'quic retry off' | 'quic retry on' | 'tcp';
async function listen(kind: Listener): Promise<{ port: number; close: () => Promise<void> }> {
  const t: Transport =
    kind === 'tcp'
      ? new TcpTlsTransport({ credentials: credentials.server })
      : new QuicTransport({ credentials: credentials.server, retry: kind === 'quic retry on' });
  t.handle('echo', echo);
  const { port } = await t.listen({ host: '127.0.0.1', port: 0 });
  return { port, close: () => t.close() };
}

const clientTransport = (kind: 'quic' | 'tcp', dialMode: DialMode): Transport => {
  const options = { credentials: credentials.client, dialMode };
  return kind === 'quic' ? new QuicTransport(options) : new TcpTlsTransport(options);
};
const sharedClients = new Map<string, Transport>();
async function dialOnce(kind: 'quic' | 'tcp', dialMode: DialMode, port: number): Promise<DialSample> {
  const key = `${kind} ${dialMode}`;
  if (!FRESH && !sharedClients.has(key)) sharedClients.set(key, clientTransport(kind, dialMode));
  const client = FRESH ? clientTransport(kind, dialMode) : sharedClients.get(key)!;
  let connection: Connection | undefined;
  try {
    const timed = await timeDialToFirstResponse(client, { host: '127.0.0.1', port }, payload);
    connection = timed.connection;
    return timed.sample;
  } finally {
    if (FRESH) await client.close({ force: true });
    else await connection?.close({ force: true });
  }
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

const listeners = {
  'quic retry off': await listen('quic retry off'),
  'quic retry on': await listen('quic retry on'),
  tcp: await listen('tcp'),
};
const variants: Array<{ name: string; kind: 'quic' | 'tcp'; listener: Listener; dialMode: DialMode }> = [
  { name: 'tcp confirmed', kind: 'tcp', listener: 'tcp', dialMode: 'confirmed' },
  { name: 'tcp eager', kind: 'tcp', listener: 'tcp', dialMode: 'eager' },
  { name: 'quic retry off confirmed', kind: 'quic', listener: 'quic retry off', dialMode: 'confirmed' },
  { name: 'quic retry off eager', kind: 'quic', listener: 'quic retry off', dialMode: 'eager' },
  { name: 'quic retry on confirmed', kind: 'quic', listener: 'quic retry on', dialMode: 'confirmed' },
  { name: 'quic retry on eager', kind: 'quic', listener: 'quic retry on', dialMode: 'eager' },
];

interface Row extends DialSummary { latencyMsEachWay: number; variant: string }
const rows: Row[] = [];
const ratios: Array<Record<string, number>> = [];
for (const latencyMs of LATENCIES) {
  const proxies: FaultProxy[] = [];
  const portOf = async (listener: Listener): Promise<number> => {
    const target = { host: '127.0.0.1', port: listeners[listener].port };
    if (latencyMs === 0) return target.port;
    const proxy =
      listener === 'tcp'
        ? await createTcpFaultProxy({ target, faults: { latencyMs } })
        : await createUdpFaultProxy({ target, faults: { latencyMs } });
    proxies.push(proxy);
    return proxy.address.port;
  };
  const ports = {
    'quic retry off': await portOf('quic retry off'),
    'quic retry on': await portOf('quic retry on'),
    tcp: await portOf('tcp'),
  };
  const samples = new Map<string, DialSample[]>(variants.map((v) => [v.name, []]));
  for (const v of variants) await dialOnce(v.kind, v.dialMode, ports[v.listener]); // warm-up
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 4 * latencyMs + 20));
  for (let i = 0; i < DIALS; i++) {
    for (const v of variants) {
      await settle();
      samples.get(v.name)!.push(await dialOnce(v.kind, v.dialMode, ports[v.listener]));
    }
  }
  const synMs = 2 * latencyMs;
  const series = new Map<string, DialSample[]>();
  for (const [name, xs] of samples) {
    if (name.startsWith('tcp') && latencyMs > 0) {
      series.set(`${name} raw`, xs);
      series.set(`${name} +SYN`, xs.map((x) => ({ wallMs: x.wallMs + synMs, cpuMs: x.cpuMs })));
    } else {
      series.set(name, xs);
    }
  }
  const direct = latencyMs === 0 ? ' (direct, no proxy)' : '';
  const load = loadavg()[0]!.toFixed(2);
  console.log(`\ndial to first response, ${latencyMs} ms each way${direct}, ${DIALS} dials per variant, load ${load}`);
  const p50 = new Map<string, number>();
  for (const [variant, xs] of series) {
    const row: Row = { latencyMsEachWay: latencyMs, variant, ...summariseDials(xs, latencyMs) };
    rows.push(row);
    p50.set(variant, row.p50Ms);
    console.log(
      `${variant.padEnd(26)} p50 ${row.p50Ms.toFixed(1).padStart(7)}  p90 ${row.p90Ms.toFixed(1).padStart(7)}  ` +
        `min ${row.minMs.toFixed(1).padStart(7)} ms` +
        `${row.roundTrips === null ? '' : `  ~${row.roundTrips} RTT`}  cpu ${row.cpuMsPerDialP50.toFixed(1)} ms`,
    );
  }
  const tcp = (mode: DialMode): number => p50.get(latencyMs > 0 ? `tcp ${mode} +SYN` : `tcp ${mode}`)!;
  const ratio: Record<string, number> = {
    latencyMsEachWay: latencyMs,
    'quic retry off eager / tcp eager': r3(p50.get('quic retry off eager')! / tcp('eager')),
    'quic retry off confirmed / tcp confirmed': r3(p50.get('quic retry off confirmed')! / tcp('confirmed')),
    'quic retry on eager / tcp eager': r3(p50.get('quic retry on eager')! / tcp('eager')),
    'quic retry on confirmed / tcp confirmed': r3(p50.get('quic retry on confirmed')! / tcp('confirmed')),
    'quic retry off eager / quic retry off confirmed': r3(
      p50.get('quic retry off eager')! / p50.get('quic retry off confirmed')!,
    ),
    'tcp eager / tcp confirmed': r3(tcp('eager') / tcp('confirmed')),
  };
  ratios.push(ratio);
  console.log(ratio);
  await Promise.all(proxies.map((p) => p.close()));
}
await Promise.all([...sharedClients.values()].map((c) => c.close()));
await Promise.all(Object.values(listeners).map((l) => l.close()));

const command = `npx tsx tools/bench/dial-modes-bench.ts ${process.argv.slice(2).join(' ')}`.trim();
const out = writeResult(
  'dial-modes',
  {
    command,
    machine,
    lscpu: lscpuSummary(),
    loadAverage1mAtEnd: Number(loadavg()[0]!.toFixed(2)),
    dials: DIALS,
    latenciesMsEachWay: LATENCIES,
    clientTransport: FRESH ? 'new per dial' : 'one per variant, a new connection per dial',
    rows,
    ratios,
  },
  values.out,
);
console.log(`wrote ${out}`);
process.exit(0);
