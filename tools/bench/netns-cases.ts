/**
 * The two measurements made on the namespace rig (netns-rig.ts): echo load on one connection
 * under real kernel loss, and dial to first response. Each starts fresh peer processes, so a
 * connection broken (or a process hung) by one case cannot affect the next.
 */
import type { ChildAgent } from '@agentlink/test-harness';
import { summariseDials, type DialSummary } from './dial-sample';
import type { EchoLoadRow } from './echo-load';
import {
  isResultLine,
  LISTENER_KIND,
  type DialResult,
  type DialVariant,
  type ListenerName,
  type LoadResult,
  type QuicTuning,
  type ServerReady,
} from './netns-peer-protocol';
import type { LossCounters, NetnsRig } from './netns-rig';

export interface LossCaseOptions {
  readonly streams: number;
  readonly payloadBytes: number;
  readonly seconds: number;
  readonly warmupRequests: number;
  /** QUIC transport options of both peers (JSON-able), e.g. { congestionControl: 'cubic' }. */
  readonly quic?: QuicTuning;
}

export interface LossRow extends EchoLoadRow {
  readonly transport: 'quic' | 'tcp';
  readonly listener: ListenerName;
  readonly lossRate: number;
  /** Overlay packets the kernel saw and dropped during the case, per direction. */
  readonly kernel: LossCounters;
  /** Dropped / seen over both directions, in %. */
  readonly measuredLossPct: number;
  /** Datagrams the wire's delay queues dropped (should be 0: only the kernel's loss is wanted). */
  readonly wireQueueDropped: number;
}

async function startServer(
  rig: NetnsRig,
  listeners: readonly ListenerName[],
  quic: QuicTuning = {},
): Promise<{ server: ChildAgent; ports: ServerReady['ports'] }> {
  const server = await rig.startPeer('server', 'server', [
    'server',
    '--host',
    rig.serverHost,
    '--listeners',
    listeners.join(','),
    '--quic',
    JSON.stringify(quic),
  ]);
  return { server, ports: (server.ready as ServerReady).ports };
}

/** Waits for the peer's result line; kills it and throws when it exits without one or takes too long. */
async function resultOf<T>(peer: ChildAgent, timeoutMs: number): Promise<T> {
  const exitedFirst = peer.waitForExit().then((exit) => {
    throw new Error(`exited (code ${String(exit.code)}, signal ${String(exit.signal)}) without a result`);
  });
  try {
    const line = await Promise.race([peer.waitForLine(isResultLine, timeoutMs), exitedFirst]);
    await peer.waitForExit(10_000).catch(() => peer.kill('SIGKILL'));
    return JSON.parse(line) as T;
  } catch (error) {
    await peer.kill('SIGKILL');
    const stderr = peer.stderr
      .filter((l) => !l.startsWith('    at '))
      .slice(-3)
      .join(' | ');
    throw new Error(
      `${peer.id} gave no result: ${error instanceof Error ? error.message : String(error)}; stderr: ${stderr}`,
    );
  } finally {
    exitedFirst.catch(() => undefined);
  }
}

const queueDropped = (stats: unknown): number =>
  (stats as Array<{ queueDropped: number }>).reduce((sum, link) => sum + link.queueDropped, 0);

/**
 * One connection from the client namespace to a fresh server, `streams` concurrent 'echo' calls
 * for `seconds`, with the kernel dropping `lossRate` of the overlay's packets in both directions
 * from the first packet on (handshake and warm-up included, as on a real lossy path).
 */
export async function runLossCase(
  rig: NetnsRig,
  listener: ListenerName,
  lossRate: number,
  options: LossCaseOptions,
): Promise<LossRow> {
  await rig.setLoss(0);
  const { server, ports } = await startServer(rig, [listener], options.quic);
  try {
    const wireBefore = queueDropped(await rig.wireStats());
    await rig.setLoss(lossRate);
    const client = await rig.startPeer('client', `load-${listener}`, [
      'load',
      '--host',
      rig.serverHost,
      '--listener',
      listener,
      '--port',
      String(ports[listener]),
      '--streams',
      String(options.streams),
      '--payload',
      String(options.payloadBytes),
      '--seconds',
      String(options.seconds),
      '--warmup',
      String(options.warmupRequests),
      '--quic',
      JSON.stringify(options.quic ?? {}),
    ]);
    const { row } = await resultOf<LoadResult>(client, options.seconds * 1000 + 120_000);
    const kernel = await rig.lossCounters();
    const seen = kernel.upstream.packets + kernel.downstream.packets;
    const dropped = kernel.upstream.dropped + kernel.downstream.dropped;
    return {
      transport: LISTENER_KIND[listener],
      listener,
      lossRate,
      ...row,
      kernel,
      measuredLossPct: seen === 0 ? 0 : Math.round((dropped / seen) * 10_000) / 100,
      wireQueueDropped: queueDropped(await rig.wireStats()) - wireBefore,
    };
  } finally {
    await rig.setLoss(0);
    await server.stop(5_000);
  }
}

export interface DialCaseOptions {
  readonly dials: number;
  /** The rig's delay each way (turns p50 into round trips and sets the pause between dials). */
  readonly delayMs: number;
}

export interface DialRow extends DialSummary {
  readonly variant: string;
  /** Measured dials of a 0-RTT variant whose request did not go as accepted early data. */
  readonly earlyDataFallbacks: number;
}

/**
 * Dial to first response from the client namespace, the variants interleaved dial by dial (a
 * pause of 4 x delay + 20 ms between dials lets the previous connection's teardown pass), no
 * loss. TCP's SYN crosses the delayed path like everything else: no round trip is added by hand.
 */
export async function runDialCases(
  rig: NetnsRig,
  variants: readonly DialVariant[],
  options: DialCaseOptions,
): Promise<DialRow[]> {
  await rig.setLoss(0);
  const listeners = [...new Set(variants.map((v) => v.listener))];
  const { server, ports } = await startServer(rig, listeners);
  try {
    const settleMs = 4 * options.delayMs + 20;
    const client = await rig.startPeer('client', 'dial', [
      'dial',
      '--host',
      rig.serverHost,
      '--ports',
      JSON.stringify(ports),
      '--variants',
      JSON.stringify(variants),
      '--dials',
      String(options.dials),
      '--settle-ms',
      String(settleMs),
    ]);
    const perDialMs = settleMs + 20 * options.delayMs + 1_000;
    const result = await resultOf<DialResult>(client, (options.dials + 1) * variants.length * perDialMs + 60_000);
    return variants.map((v) => {
      const { samples, earlyDataFallbacks } = result.variants[v.name]!;
      return { variant: v.name, ...summariseDials(samples, options.delayMs), earlyDataFallbacks };
    });
  } finally {
    await server.stop(5_000);
  }
}
