/**
 * A peer process of the namespace rig (netns-rig.ts), running our transports in its namespace:
 *   server --host H --listeners tcp,quic,...      echo listeners; ready line with their ports
 *   load   --host H --listener L --port P --streams 16 --payload 4096 --seconds 15 --warmup 64
 * server and load take --quic JSON: QUIC options for their QUIC transports (QuicTuning).
 *                                                 one connection, closed-loop echo load; result line
 *   dial   --host H --ports JSON --variants JSON --dials 30 --settle-ms 120
 *                                                 dial to first response, variants interleaved; result line
 * Every line on stdout is JSON; progress and errors go to stderr.
 */
import { parseArgs } from 'node:util';
import type { Connection, Transport } from '@agentlink/transport';
import { createTransport, startEchoServer, type ListeningServer, type PairTuning } from './connection-pair';
import { timeDialToFirstResponse, type DialSample } from './dial-sample';
import { measureEchoLoad } from './echo-load';
import { exitWithParent, rigCredentials } from './netns-child';
import {
  LISTENER_KIND,
  listenerTuning,
  type DialResult,
  type DialVariant,
  type ListenerName,
  type LoadResult,
  type QuicTuning,
  type ServerReady,
} from './netns-peer-protocol';
import { zeroRttSupport } from './zero-rtt';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string' },
    listeners: { type: 'string', default: 'tcp,quic' },
    listener: { type: 'string', default: 'quic' },
    port: { type: 'string' },
    ports: { type: 'string', default: '{}' },
    streams: { type: 'string', default: '16' },
    payload: { type: 'string', default: '4096' },
    seconds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '64' },
    variants: { type: 'string', default: '[]' },
    dials: { type: 'string', default: '30' },
    'settle-ms': { type: 'string', default: '120' },
    quic: { type: 'string', default: '{}' },
  },
});
const host = values.host ?? '127.0.0.1';
const credentials = rigCredentials();
const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
// Certificates name localhost; the overlay address is checked against the CA and identity only.
const serverName = 'localhost';
const quicTuning = JSON.parse(values.quic) as QuicTuning;
const tuningOf = (name: ListenerName): PairTuning =>
  LISTENER_KIND[name] === 'quic' ? { ...listenerTuning(name), ...quicTuning } : listenerTuning(name);

async function serve(): Promise<void> {
  const names = values.listeners.split(',') as ListenerName[];
  const servers: ListeningServer[] = [];
  const ports: ServerReady['ports'] = {};
  for (const name of names) {
    const server = await startEchoServer(LISTENER_KIND[name], tuningOf(name), {
      host,
      credentials: credentials.server,
    });
    servers.push(server);
    ports[name] = server.port;
  }
  const stop = async (): Promise<void> => {
    await Promise.allSettled(servers.map((s) => s.transport.close({ force: true })));
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  exitWithParent(() => void stop());
  print({ event: 'ready', ports } satisfies ServerReady);
}

async function load(): Promise<void> {
  print({ event: 'ready' });
  const listener = values.listener as ListenerName;
  const tuning = LISTENER_KIND[listener] === 'quic' ? quicTuning : {};
  const client = createTransport(LISTENER_KIND[listener], credentials.client, { connectTimeoutMs: 30_000, ...tuning });
  try {
    const connection = await client.dial({ host, port: Number(values.port), serverName });
    const row = await measureEchoLoad(connection, {
      payloadBytes: Number(values.payload),
      streams: Number(values.streams),
      durationMs: Number(values.seconds) * 1000,
      warmup: { requests: Number(values.warmup) },
      request: { timeoutMs: 30_000 },
    });
    print({ event: 'result', row } satisfies LoadResult);
  } finally {
    await client.close({ force: true });
  }
}

async function dial(): Promise<void> {
  print({ event: 'ready' });
  const ports = JSON.parse(values.ports) as Partial<Record<ListenerName, number>>;
  const variants = JSON.parse(values.variants) as DialVariant[];
  const support = zeroRttSupport();
  const payload = new Uint8Array(64).fill(0x61);
  const clients = new Map<string, Transport>();
  for (const v of variants) {
    if (v.zeroRtt === true && !support.available) throw new Error(`variant ${v.name}: ${support.reason}`);
    const zeroRtt = v.zeroRtt === true && support.available ? support.plan.client : {};
    clients.set(
      v.name,
      createTransport(LISTENER_KIND[v.listener], credentials.client, { dialMode: v.dialMode, ...zeroRtt }),
    );
  }
  const once = async (v: DialVariant): Promise<{ sample: DialSample; earlyData: boolean | undefined }> => {
    const port = ports[v.listener];
    if (port === undefined) throw new Error(`variant ${v.name}: the server has no ${v.listener} listener`);
    const plan = v.zeroRtt === true && support.available ? support.plan : undefined;
    const { sample, connection }: { sample: DialSample; connection: Connection } = await timeDialToFirstResponse(
      clients.get(v.name)!,
      { host, port, serverName },
      payload,
      plan?.request,
    );
    const earlyData = plan?.usedEarlyData(connection);
    await connection.close({ force: true });
    return { sample, earlyData };
  };
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Number(values['settle-ms'])));
  const result: DialResult['variants'] = Object.fromEntries(
    variants.map((v) => [v.name, { samples: [], earlyDataFallbacks: 0 }]),
  );
  try {
    for (const v of variants) await once(v); // warm-up; a 0-RTT variant gets its first ticket here
    for (let i = 0; i < Number(values.dials); i++) {
      for (const v of variants) {
        await settle();
        const { sample, earlyData } = await once(v);
        result[v.name]!.samples.push(sample);
        if (earlyData === false) result[v.name]!.earlyDataFallbacks += 1;
      }
    }
    print({ event: 'result', variants: result } satisfies DialResult);
  } finally {
    await Promise.allSettled([...clients.values()].map((c) => c.close({ force: true })));
  }
}

const roles: Record<string, () => Promise<void>> = { server: serve, load, dial };
const role = roles[positionals[0] ?? ''];
if (role === undefined) {
  console.error(`usage: netns-peer.ts server|load|dial [options] (got ${positionals.join(' ') || 'nothing'})`);
  process.exit(2);
}
try {
  await role();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
if (positionals[0] !== 'server') process.exit(0);
