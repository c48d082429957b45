/**
 * Where a QUIC dial spends its time (loopback, or through the UDP fault proxy): timestamps of
 * every UDP datagram sent by the client, the server and the proxy (dgram send hook), dial()
 * resolving, the listener's connectionOpened, the handler starting and the answer arriving;
 * median per step over the dials. 'verbose' also prints each of the last dials' full sequence
 * with datagram sizes, the client's quiche sends and its stream creation.
 *
 *   npx tsx tools/bench/quic-dial-timeline.ts [dials=60] [eager|confirmed] [off|on (Retry)] [quiet|verbose]
 *     [new|reuse] [latency ms each way, through the UDP fault proxy: 0]
 */
import dgram from 'node:dgram';
import { QUICConnection } from '@matrixai/quic';
import { QuicTransport, type DialMode } from '@agentlink/transport';
import { createUdpFaultProxy } from '@agentlink/test-harness';
import { pairCredentials } from './connection-pair';

const DIALS = Number(process.argv[2] ?? 60);
const MODE = (process.argv[3] ?? 'eager') as DialMode;
const RETRY = process.argv[4] === 'on';
const VERBOSE = process.argv[5] === 'verbose';
/** 'reuse': one client transport for every dial (a new connection each time), as an agent would. */
const REUSE = process.argv[6] === 'reuse';
const LATENCY_MS = Number(process.argv[7] ?? 0);
let proxyPort = -1;
const credentials = await pairCredentials();
let marks: Array<[string, number, number?]> = [];
const mark = (label: string, port?: number): void => void marks.push([label, performance.now(), port]);
let serverPort = 0;
const originalSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function patchedSend(this: dgram.Socket, ...args: unknown[]) {
  let local = 0;
  try {
    local = this.address().port;
  } catch {
    // not bound yet
  }
  const bytes = (args[0] as { byteLength?: number } | undefined)?.byteLength ?? 0;
  const to = args.find((a, j) => j > 0 && typeof a === 'number' && a > 1000);
  const from =
    local === serverPort
      ? 'server'
      : to === proxyPort
        ? 'client'
        : to === serverPort
          ? 'proxy to server'
          : local === proxyPort
            ? 'proxy to client'
            : 'client';
  mark(
    `${from} datagram${VERBOSE ? ` ${bytes} B ${local}->${String(to)}` : ''}`,
    from === 'client' ? local : from === 'server' ? Number(to) : undefined,
  );
  return (originalSend as (...a: unknown[]) => unknown).apply(this, args);
} as typeof dgram.Socket.prototype.send;

if (VERBOSE) {
  // Which client-side quiche sends happen when (verbose only: the hook costs a little).
  const proto = QUICConnection.prototype as unknown as { send: (...a: unknown[]) => Promise<void> };
  const originalConnSend = proto.send;
  proto.send = function hookedSend(this: { type: string }, ...args: unknown[]) {
    if (this.type === 'client') mark('client conn.send()');
    return originalConnSend.apply(this, args);
  };
}
if (VERBOSE) {
  const originalNewStream = QUICConnection.prototype.newStream;
  QUICConnection.prototype.newStream = function hookedNewStream(this: QUICConnection, ...args: unknown[]) {
    try {
      if ((this as unknown as { type: string }).type === 'client') mark('client newStream() called');
      type NewStream = (...a: unknown[]) => ReturnType<typeof originalNewStream>;
      const stream = (originalNewStream as NewStream).apply(this, args);
      if ((this as unknown as { type: string }).type === 'client') mark('client newStream() returned');
      return stream;
    } catch (error) {
      mark(`${(this as unknown as { type: string }).type} newStream() threw ${(error as Error).constructor.name}`);
      throw error;
    }
  } as typeof QUICConnection.prototype.newStream;
}
const server = new QuicTransport({ credentials: credentials.server, retry: RETRY });
server.handle('echo', (body) => {
  mark('handler runs');
  return body;
});
server.on('connectionOpened', (e) => {
  if (e.direction === 'inbound') mark('listener adopts connection');
});
serverPort = (await server.listen({ host: '127.0.0.1', port: 0 })).port;
const proxy =
  LATENCY_MS > 0
    ? await createUdpFaultProxy({
        target: { host: '127.0.0.1', port: serverPort },
        faults: { latencyMs: LATENCY_MS },
      })
    : undefined;
if (proxy !== undefined) proxyPort = proxy.address.port;
const dialPort = proxy?.address.port ?? serverPort;
const steps = new Map<string, number[]>();
const shared = new QuicTransport({ credentials: credentials.client, dialMode: MODE });
for (let i = 0; i < DIALS + 3; i++) {
  const client = REUSE ? shared : new QuicTransport({ credentials: credentials.client, dialMode: MODE });
  marks = [];
  const t0 = performance.now();
  const connection = await client.dial({ host: '127.0.0.1', port: dialPort });
  mark('dial() resolved');
  if (VERBOSE) mark('request() called');
  await connection.request('echo', new Uint8Array(64));
  mark('answer arrived');
  // The previous client's CONNECTION_CLOSE (and the server's answer to it) may leave during this
  // dial: keep only the datagrams of this dial's client port (the one of its 1200 B Initial).
  if (VERBOSE && i >= DIALS) {
    console.log(`${marks.map(([l, t]) => `${(t - t0).toFixed(2)} ${l}`).join('\n')}\n`);
  }
  const ownPort = marks.find(([label]) => label.startsWith('client datagram'))?.[2];
  const firstInitial =
    marks.find(
      ([label, , port]) =>
        label.startsWith('client datagram') && port !== undefined && marks.filter((m) => m[2] === port).length > 2,
    )?.[2] ?? ownPort;
  marks = marks.filter(([, , port]) => port === undefined || port === firstInitial);

  const seen = new Map<string, number>();
  if (i >= 3) {
    let previous = t0;
    for (const [label, t] of marks) {
      const n = (seen.get(label) ?? 0) + 1;
      seen.set(label, n);
      const key = `${label} #${n}`;
      if (!steps.has(key)) steps.set(key, []);
      steps.get(key)!.push(t - previous);
      previous = t;
    }
  }
  if (REUSE) await connection.close({ force: true });
  else await client.close({ force: true });
  // Let the closed connection's last datagrams go before the next dial is timed.
  await new Promise((resolve) => setTimeout(resolve, 20 + 4 * LATENCY_MS));
}
await shared.close();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const where = LATENCY_MS > 0 ? `${LATENCY_MS} ms each way` : 'loopback';
const clients = REUSE ? 'one client transport' : 'a new client transport per dial';
console.log(
  `QUIC ${MODE}, Retry ${RETRY ? 'on' : 'off'}, ${where}, ${clients}, ` +
    `${DIALS} dials: median ms since the previous step (in the usual order)`,
);
let sum = 0;
for (const [key, xs] of steps) {
  sum += median(xs);
  console.log(
    `${key.padEnd(34)} +${median(xs).toFixed(2).padStart(6)}  (seen in ${xs.length})  cumulative ~${sum.toFixed(2)}`,
  );
}
await proxy?.close();
await server.close();
process.exit(0);
