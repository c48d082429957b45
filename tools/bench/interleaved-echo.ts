/**
 * Sequential 64 B echoes on a QUIC and a TCP connection in alternating blocks (ABBA order), so
 * both transports see the same machine: on this shared 2-core VM the speed of a whole process
 * drifts by tens of percent within seconds, and measuring one transport after the other turned
 * that drift into the ratio (a QUIC-first phase at 0.132 ms against 0.068 ms a minute later).
 */
import type { Connection } from '@agentlink/transport';
import { ms } from './bench-output';
import { percentile } from './dial-sample';

export interface InterleavedOptions {
  readonly payloadBytes: number;
  /** Measured requests per transport, in blocks of `blockRequests`. */
  readonly requests: number;
  readonly blockRequests: number;
  /** Requests per transport before measuring (JIT, windows, lanes). */
  readonly warmupRequests: number;
}

export interface SequentialRow {
  readonly requests: number;
  /** p50 in µs to 0.1 (the ratio is taken from it, not from the rounded ms). */
  readonly p50Us: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  /** p50 of each block, in the order run: how far the machine drifted. */
  readonly blockP50Ms: readonly number[];
}

async function echoes(connection: Connection, payload: Uint8Array, count: number, into?: number[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const answer = await connection.request('echo', payload);
    if (answer.byteLength !== payload.byteLength) {
      throw new Error(`echo returned ${answer.byteLength} bytes, expected ${payload.byteLength}`);
    }
    into?.push(performance.now() - started);
  }
}

function summarise(latencies: readonly number[], blockP50Ms: number[]): SequentialRow {
  return {
    requests: latencies.length,
    p50Us: Math.round(percentile(latencies, 50) * 10_000) / 10,
    p50Ms: ms(percentile(latencies, 50)),
    p90Ms: ms(percentile(latencies, 90)),
    p99Ms: ms(percentile(latencies, 99)),
    meanMs: ms(latencies.reduce((sum, x) => sum + x, 0) / latencies.length),
    blockP50Ms,
  };
}

/** Warms both connections up, then measures them block by block: A B B A A B ... */
export async function measureInterleaved(
  a: Connection,
  b: Connection,
  options: InterleavedOptions,
): Promise<{ a: SequentialRow; b: SequentialRow }> {
  const payload = new Uint8Array(options.payloadBytes).fill(5);
  await echoes(a, payload, options.warmupRequests);
  await echoes(b, payload, options.warmupRequests);
  const latencies = { a: [] as number[], b: [] as number[] };
  const blocks = { a: [] as number[], b: [] as number[] };
  const blockCount = Math.ceil(options.requests / options.blockRequests);
  for (let block = 0; block < blockCount; block++) {
    const order: Array<'a' | 'b'> = block % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
    for (const side of order) {
      const samples: number[] = [];
      await echoes(side === 'a' ? a : b, payload, options.blockRequests, samples);
      latencies[side].push(...samples);
      blocks[side].push(ms(percentile(samples, 50)));
    }
  }
  return { a: summarise(latencies.a, blocks.a), b: summarise(latencies.b, blocks.b) };
}
