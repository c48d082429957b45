/**
 * Dial to first response: a new connection from a client transport, the handshake with mutual
 * certificate checks, one request and its full answer. Closing is not timed. CPU is this
 * process's (whatever else runs in it: a server or proxy in the same process counts too).
 */
import type { Connection, PeerAddress, RequestOptions, Transport } from '@agentlink/transport';
import { ms } from './bench-output';

export interface DialSample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface TimedDial {
  readonly sample: DialSample;
  readonly connection: Connection;
}

/** Dials `address` with `client`, sends `payload` to 'echo' and waits for the answer. */
export async function timeDialToFirstResponse(
  client: Transport,
  address: PeerAddress,
  payload: Uint8Array,
  request?: RequestOptions,
): Promise<TimedDial> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const connection = await client.dial(address);
  try {
    const answer = await connection.request('echo', payload, request);
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    if (answer.byteLength !== payload.byteLength)
      throw new Error(`echo returned ${answer.byteLength} bytes, expected ${payload.byteLength}`);
    return { sample: { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }, connection };
  } catch (error) {
    await connection.close({ force: true });
    throw error;
  }
}

/** The value below which `p` % of `xs` lie (nearest rank). */
export function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export interface DialSummary {
  readonly dials: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly minMs: number;
  /** p50 in round trips of the added delay (null without added delay). */
  readonly roundTrips: number | null;
  readonly cpuMsPerDialP50: number;
}

/** p50/p90/min of a variant's dials; `delayMsEachWay` turns p50 into round trips. */
export function summariseDials(samples: readonly DialSample[], delayMsEachWay: number): DialSummary {
  const wall = samples.map((s) => s.wallMs);
  return {
    dials: samples.length,
    p50Ms: ms(percentile(wall, 50)),
    p90Ms: ms(percentile(wall, 90)),
    minMs: ms(Math.min(...wall)),
    roundTrips: delayMsEachWay > 0 ? Math.round((percentile(wall, 50) / (2 * delayMsEachWay)) * 100) / 100 : null,
    cpuMsPerDialP50: ms(
      percentile(
        samples.map((s) => s.cpuMs),
        50,
      ),
    ),
  };
}
