/**
 * Closed-loop echo load on one agentlink connection: a warm-up, then `streams` concurrent
 * request/response calls until `requests` are done or `durationMs` has passed. Latency counts
 * successful calls only (failures are in errors/errorsByCode); every answer's length is checked.
 */
import type { Connection, RequestOptions } from '@agentlink/transport';
import { runLoad } from '@agentlink/test-harness';
import { ms } from './bench-output';

export interface EchoLoadOptions {
  readonly payloadBytes: number;
  /** Calls in flight at once (QUIC: one stream each; TCP: frames multiplexed on one socket). */
  readonly streams: number;
  /** Measured calls; unbounded when only durationMs is given. */
  readonly requests?: number;
  /** Longest measured phase, in ms. */
  readonly durationMs: number;
  /** Warm-up before the measured phase (JIT, windows, connection state). */
  readonly warmup: { readonly requests: number; readonly durationMs?: number };
  readonly request?: RequestOptions;
}

export interface EchoLoadRow {
  readonly payloadBytes: number;
  readonly streams: number;
  readonly requests: number;
  readonly errors: number;
  readonly errorsByCode: Record<string, number>;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  readonly requestsPerSec: number;
  /** Payload bytes moved per second, both directions counted (an echo moves the payload twice). */
  readonly mibPerSec: number;
}

/** Runs the warm-up and the measured phase on `connection` (method 'echo'). */
export async function measureEchoLoad(connection: Connection, options: EchoLoadOptions): Promise<EchoLoadRow> {
  const { payloadBytes, streams } = options;
  const payload = new Uint8Array(payloadBytes).fill(5);
  const call = async (): Promise<void> => {
    const answer = await connection.request('echo', payload, options.request);
    if (answer.byteLength !== payloadBytes) {
      throw new Error(`echo returned ${answer.byteLength} bytes, expected ${payloadBytes}`);
    }
  };
  await runLoad({
    concurrency: streams,
    requests: options.warmup.requests,
    durationMs: options.warmup.durationMs,
    call,
  });
  const r = await runLoad({ concurrency: streams, requests: options.requests, durationMs: options.durationMs, call });
  return {
    payloadBytes,
    streams,
    requests: r.count,
    errors: r.errors,
    errorsByCode: { ...r.errorsByCode },
    p50Ms: ms(r.latency.p50),
    p90Ms: ms(r.latency.p90),
    p99Ms: ms(r.latency.p99),
    p999Ms: ms(r.latency.p999),
    maxMs: ms(r.latency.max),
    meanMs: ms(r.latency.mean),
    requestsPerSec: Math.round(r.throughputPerSec),
    mibPerSec: Math.round(((r.throughputPerSec * payloadBytes * 2) / 2 ** 20) * 100) / 100,
  };
}

/** "p50 1.2 ms, p99 3.4 ms, p99.9 5 ms, 800 req/s (1600 requests, 0 errors)" for progress lines. */
export function describeEchoRow(row: EchoLoadRow): string {
  const errors = row.errors > 0 ? ` ${JSON.stringify(row.errorsByCode)}` : '';
  const latency = `p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, p99.9 ${row.p999Ms} ms`;
  const counts = `${row.requests} requests, ${row.errors} errors${errors}`;
  return `${latency}, ${row.requestsPerSec} req/s, ${row.mibPerSec} MiB/s (${counts})`;
}
