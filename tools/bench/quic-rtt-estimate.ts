/**
 * quiche's RTT estimate (smoothed_rtt, which sets its probe timeout and time-threshold loss
 * detection) against the real round trip, on connections that are not sending all they can: one
 * 64 B request at a time through the test-harness UDP fault proxy, 25 ms each way. Three cases,
 * each for BBR and CUBIC, with our tail-loss probe off and on (the transport's `tailLossProbe` option):
 *   estimate   40 echoes, no loss: the measured round trip against quiche's srtt at both ends;
 *   one loss   30 echoes, then the next request (up) or response (down) is dropped once: that
 *              echo's latency, 3 connections each;
 *   2 % loss   echoes for --seconds through 2 % random loss: p50 / p99 / max and the srtt at the end.
 *
 *   npx nx run-many -t build && npx tsx tools/bench/quic-rtt-estimate.ts [--seconds 30] [--host 127.0.0.1]
 *     [--out file.json]
 *
 * The default host is an address of this machine on another interface than loopback, so peers get
 * path-sized datagrams (1,350 bytes) as across a network; 127.0.0.1 gives them 16 KiB ones.
 *
 * srtt is read through quiche's own pathStats() on the connections the transport made (a hook on
 * the binding that records them; it changes nothing they do). BENCHMARKS.md, "quiche's RTT
 * estimate on app-limited connections", says what the figures mean.
 */
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import { quiche } from '@matrixai/quic/native/index.js';
import { createUdpFaultProxy, type UdpFaultProxy } from '@agentlink/test-harness';
import type { Connection, QuicCongestionControl as CongestionControl } from '@agentlink/transport';
import { ms, writeResult } from './bench-output';
import { createTransport, pairCredentials, startEchoServer } from './connection-pair';
import { machineInfo, describeMachine } from './machine-info';

interface NativeStats {
  pathStats(): Array<{ rtt: number }>;
}
const seen: NativeStats[] = [];
const proto = (quiche.Connection as unknown as { prototype: { timeout: (this: NativeStats) => unknown } }).prototype;
const originalTimeout = proto.timeout;
proto.timeout = function recordConnection(this: NativeStats): unknown {
  if (!seen.includes(this)) seen.push(this);
  return originalTimeout.call(this);
};

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '30' }, host: { type: 'string' }, out: { type: 'string' } },
});
const HOST =
  values.host ??
  Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal)?.address ?? '127.0.0.1';
const DELAY_MS = 25;
const payload = new Uint8Array(64).fill(0x61);

interface Rig {
  readonly connection: Connection;
  readonly proxy: UdpFaultProxy;
  /** quiche's srtt (ms) at the client and the server. */
  srtt(): { client: number; server: number };
  close(): Promise<void>;
}

interface Variant {
  readonly congestionControl: CongestionControl;
  readonly tailLossProbe: boolean;
}

async function openRig(tuning: Variant): Promise<Rig> {
  seen.length = 0;
  const server = await startEchoServer('quic', tuning, { host: HOST });
  const proxy = await createUdpFaultProxy({
    listen: { host: HOST, port: 0 },
    target: { host: HOST, port: server.port },
    faults: { latencyMs: DELAY_MS },
  });
  const client = createTransport('quic', (await pairCredentials()).client, tuning);
  const connection = await client.dial({ host: HOST, port: proxy.address.port, serverName: 'localhost' });
  // connect() arms the client's timer first; the server's connection comes with its first datagram.
  const [clientNative, serverNative] = seen;
  const rttOf = (n: NativeStats | undefined): number => n?.pathStats()[0]?.rtt ?? Number.NaN;
  return {
    connection,
    proxy,
    srtt: () => ({ client: rttOf(clientNative), server: rttOf(serverNative) }),
    close: async () => {
      await client.close();
      await server.transport.close();
      await proxy.close();
    },
  };
}

async function echo(connection: Connection): Promise<number> {
  const started = performance.now();
  await connection.request('echo', payload);
  return performance.now() - started;
}

const percentile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function estimateCase(cc: Variant): Promise<Record<string, number>> {
  const rig = await openRig(cc);
  const rtts: number[] = [];
  for (let i = 0; i < 40; i++) rtts.push(await echo(rig.connection));
  const srtt = rig.srtt();
  await rig.close();
  rtts.sort((a, b) => a - b);
  return { measuredP50Ms: ms(percentile(rtts, 0.5)), clientSrttMs: srtt.client, serverSrttMs: srtt.server };
}

/** A QUIC ACK is ~50 bytes: a request or answer with its 64 B payload is longer. */
const ACK_BYTES = 60;

async function oneLossCase(cc: Variant, direction: 'upstream' | 'downstream'): Promise<number[]> {
  const latencies: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const rig = await openRig(cc);
    for (let i = 0; i < 30; i++) await echo(rig.connection);
    rig.proxy.dropNext(direction, ACK_BYTES);
    latencies.push(ms(await echo(rig.connection)));
    if (rig.proxy.dropPending) throw new Error(`no ${direction} datagram was dropped`);
    await rig.close();
  }
  return latencies;
}

async function randomLossCase(cc: Variant, seconds: number): Promise<Record<string, number>> {
  const rig = await openRig(cc);
  for (let i = 0; i < 10; i++) await echo(rig.connection);
  rig.proxy.setFaults({ lossRate: 0.02 });
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) latencies.push(await echo(rig.connection));
  const srtt = rig.srtt();
  const { upstream, downstream } = rig.proxy.stats;
  const dropped = upstream.droppedPackets + downstream.droppedPackets;
  const forwarded = upstream.forwardedPackets + downstream.forwardedPackets;
  await rig.close();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    p50Ms: ms(percentile(latencies, 0.5)),
    p99Ms: ms(percentile(latencies, 0.99)),
    maxMs: ms(latencies[latencies.length - 1] ?? NaN),
    clientSrttMs: srtt.client,
    serverSrttMs: srtt.server,
    droppedShare: Number((dropped / (dropped + forwarded)).toFixed(4)),
  };
}

const machine = machineInfo();
console.log(`quiche RTT estimate, ${DELAY_MS} ms each way via ${HOST}, 64 B echoes: ${describeMachine(machine)}`);
const results: Record<string, unknown> = {};
for (const congestionControl of ['bbr', 'cubic'] as const) {
  for (const tailLossProbe of [false, true]) {
    const variant = { congestionControl, tailLossProbe };
    const name = `${congestionControl}, probe ${tailLossProbe ? 'on' : 'off'}`;
    const estimate = await estimateCase(variant);
    console.log(
      `${name}: real p50 ${estimate.measuredP50Ms} ms; srtt ${estimate.clientSrttMs} / ${estimate.serverSrttMs} ms`,
    );
    const up = await oneLossCase(variant, 'upstream');
    const down = await oneLossCase(variant, 'downstream');
    console.log(`${name}: one loss: request ${up.join(' / ')} ms; answer ${down.join(' / ')} ms`);
    const random = await randomLossCase(variant, Number(values.seconds));
    console.log(
      `${name}: 2 % loss: ${random.requests} echoes, p50 ${random.p50Ms} p99 ${random.p99Ms} ` +
        `max ${random.maxMs} ms; srtt at the end ${random.clientSrttMs} / ${random.serverSrttMs} ms`,
    );
    results[name] = { estimate, oneLoss: { up, down }, randomLoss: random };
  }
}
console.log(
  `wrote ${writeResult('quic-rtt-estimate', { machine, host: HOST, delayMs: DELAY_MS, results }, values.out)}`,
);
