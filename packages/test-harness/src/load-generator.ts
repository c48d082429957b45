import { build } from 'hdr-histogram-js';
import { InvalidOptionsError } from './errors';

/** Options of runLoad(). At least one of `requests` and `durationMs` bounds the run. */
export interface LoadOptions {
  /** Calls in flight at once (closed-loop workers). Integer >= 1. */
  readonly concurrency: number;
  /** Total calls to start. Default unbounded (then durationMs is required). */
  readonly requests?: number;
  /** Stop starting calls after this long, in ms. Default unbounded (then requests is required). */
  readonly durationMs?: number;
  /** One call; `i` counts from 0. The signal aborts when the run stops early (duration, caller's signal). */
  readonly call: (i: number, signal: AbortSignal) => Promise<unknown>;
  /** Stops the run early; the result is still returned. */
  readonly signal?: AbortSignal;
  /** How long to wait for calls still running once the run stops, in ms. Default 5000. */
  readonly drainTimeoutMs?: number;
}

/** Latency percentiles of the successful calls, in milliseconds with microsecond resolution. */
export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

/** What a load run measured. */
export interface LoadResult {
  /** Calls that finished (succeeded or failed). */
  readonly count: number;
  /** Calls that failed (not counting those cancelled by the run stopping). */
  readonly errors: number;
  /** Failures by `err.code`, else `err.name`, else 'UNKNOWN'. */
  readonly errorsByCode: Readonly<Record<string, number>>;
  /** Calls that rejected after the run had stopped and aborted their signal. */
  readonly cancelled: number;
  /** Calls still running after drainTimeoutMs; they are left behind. */
  readonly abandoned: number;
  /** Wall time of the run, in ms. */
  readonly durationMs: number;
  /** Successful calls per second. */
  readonly throughputPerSec: number;
  /** Latency of successful calls, in ms. */
  readonly latency: LatencySummary;
  /** What ended the run. */
  readonly stoppedBy: 'requests' | 'duration' | 'signal';
}

const HOUR_US = 3_600_000_000;

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { code, name } = err as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    if (typeof name === 'string' && name !== '') return name;
  }
  return 'UNKNOWN';
}

function validate(options: LoadOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError('runLoad options must be an object');
  const { concurrency, requests, durationMs, drainTimeoutMs } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InvalidOptionsError(`concurrency must be an integer >= 1, got ${String(concurrency)}`);
  if (requests === undefined && durationMs === undefined)
    throw new InvalidOptionsError('set requests, durationMs or both: a load run must be bounded');
  if (requests !== undefined && (!Number.isInteger(requests) || requests < 0))
    throw new InvalidOptionsError(`requests must be an integer >= 0, got ${String(requests)}`);
  for (const [name, value] of [
    ['durationMs', durationMs],
    ['drainTimeoutMs', drainTimeoutMs],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      throw new InvalidOptionsError(`${name} must be a finite number >= 0, got ${String(value)}`);
  }
  if (typeof options.call !== 'function') throw new InvalidOptionsError('call must be a function returning a promise');
}

/**
 * Runs `call` with `concurrency` closed-loop workers until `requests` calls were started,
 * `durationMs` passed or `signal` aborted, then reports latency percentiles from an HdrHistogram
 * (microsecond resolution, 3 significant digits).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  validate(options);
  const { concurrency, call } = options;
  const requests = options.requests ?? Infinity;
  const histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HOUR_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    useWebAssembly: false,
  });
  const stop = new AbortController();
  let stoppedBy: LoadResult['stoppedBy'] = 'requests';
  const halt = (reason: LoadResult['stoppedBy']): void => {
    if (stop.signal.aborted) return;
    stoppedBy = reason;
    stop.abort();
  };
  const onCallerAbort = (): void => halt('signal');
  if (options.signal?.aborted) halt('signal');
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const durationTimer =
    options.durationMs === undefined ? undefined : setTimeout(() => halt('duration'), options.durationMs);

  let next = 0;
  let count = 0;
  let errors = 0;
  let cancelled = 0;
  let sumUs = 0;
  let running = 0;
  const errorsByCode: Record<string, number> = {};
  const start = performance.now();

  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted && next < requests) {
      const i = next++;
      running++;
      const t0 = process.hrtime.bigint();
      try {
        await call(i, stop.signal);
        const us = Math.max(1, Number((process.hrtime.bigint() - t0) / 1000n));
        histogram.recordValue(us);
        sumUs += us;
        count++;
      } catch (err) {
        count++;
        if (stop.signal.aborted) cancelled++;
        else {
          errors++;
          const code = errorCode(err);
          errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
        }
      } finally {
        running--;
      }
    }
  };

  const workers = Promise.all(Array.from({ length: concurrency }, worker));
  // Once stopped, in-flight calls get drainTimeoutMs to settle; a hung call must not hang the run.
  let drainTimer: NodeJS.Timeout | undefined;
  let armDrain = (): void => undefined;
  const drained = new Promise<void>((resolve) => {
    armDrain = () => {
      drainTimer = setTimeout(resolve, options.drainTimeoutMs ?? 5_000);
    };
  });
  if (stop.signal.aborted) armDrain();
  else stop.signal.addEventListener('abort', armDrain, { once: true });
  await Promise.race([workers, drained]);
  const durationMs = performance.now() - start;
  stop.signal.removeEventListener('abort', armDrain);
  clearTimeout(drainTimer);
  clearTimeout(durationTimer);
  options.signal?.removeEventListener('abort', onCallerAbort);

  const successes = count - errors - cancelled;
  const ms = (us: number): number => us / 1000;
  const latency: LatencySummary =
    successes === 0
      ? { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 }
      : {
          p50: ms(histogram.getValueAtPercentile(50)),
          p90: ms(histogram.getValueAtPercentile(90)),
          p99: ms(histogram.getValueAtPercentile(99)),
          p999: ms(histogram.getValueAtPercentile(99.9)),
          max: ms(histogram.getValueAtPercentile(100)),
          mean: ms(sumUs / successes),
        };
  histogram.destroy();
  return {
    count,
    errors,
    errorsByCode,
    cancelled,
    abandoned: running,
    durationMs,
    throughputPerSec: durationMs > 0 ? (successes * 1000) / durationMs : 0,
    latency,
    stoppedBy,
  };
}
