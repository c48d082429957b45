import { InvalidOptionsError } from '../errors';
import { directionFaults, mergeFaults, NO_FAULTS, validateFaultsUpdate, type ProxyProtocol } from './faults';
import { seededRandom, type Random } from './prng';
import type {
  Direction,
  DirectionFaults,
  DirectionStats,
  Faults,
  FaultProxyOptions,
  FaultProxyStats,
  FaultsUpdate,
  HostPort,
} from './types';

const DEFAULT_QUEUE_LIMIT = 4 * 1024 * 1024;

function emptyStats(): DirectionStats {
  return {
    forwardedPackets: 0,
    forwardedBytes: 0,
    droppedPackets: 0,
    droppedBytes: 0,
    duplicatedPackets: 0,
    corruptedPackets: 0,
    reorderedPackets: 0,
    stalledPackets: 0,
  };
}

/** Options common to both proxies after validation and defaults. */
export interface ResolvedProxyOptions {
  readonly listen: HostPort;
  readonly target: HostPort;
  readonly queueLimitBytes: number;
}

function isPort(value: unknown, allowZero: boolean): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= (allowZero ? 0 : 1) && value <= 65535;
}

/** Validates the options shared by the UDP and TCP proxies. */
export function resolveProxyOptions(options: FaultProxyOptions): ResolvedProxyOptions {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError('fault proxy options must be an object');
  const { target } = options;
  if (
    typeof target !== 'object' ||
    target === null ||
    typeof target.host !== 'string' ||
    target.host === '' ||
    !isPort(target.port, false)
  ) {
    throw new InvalidOptionsError('target must be { host: string, port: 1..65535 }');
  }
  const host = options.listen?.host ?? '127.0.0.1';
  const port = options.listen?.port ?? 0;
  if (typeof host !== 'string' || host === '' || !isPort(port, true)) {
    throw new InvalidOptionsError('listen must be { host?: string, port?: 0..65535 }');
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed))
    throw new InvalidOptionsError('seed must be an integer');
  const queueLimitBytes = options.queueLimitBytes ?? DEFAULT_QUEUE_LIMIT;
  if (!Number.isInteger(queueLimitBytes) || queueLimitBytes < 1) {
    throw new InvalidOptionsError(`queueLimitBytes must be a positive integer, got ${String(queueLimitBytes)}`);
  }
  return { listen: { host, port }, target: { host: target.host, port: target.port }, queueLimitBytes };
}

/** The live fault configuration, its PRNG and the counters of one proxy. */
export class FaultState {
  readonly random: Random;
  private current: Faults = NO_FAULTS;
  private perDirection: Record<Direction, DirectionFaults>;
  private readonly counters: Record<Direction, DirectionStats> = { upstream: emptyStats(), downstream: emptyStats() };
  private readonly listeners = new Set<(faults: Faults) => void>();

  constructor(
    private readonly protocol: ProxyProtocol,
    initial: FaultsUpdate | undefined,
    seed: number | undefined,
  ) {
    this.random = seededRandom(seed);
    if (initial !== undefined) validateFaultsUpdate(initial, protocol);
    this.current = initial === undefined ? NO_FAULTS : mergeFaults(NO_FAULTS, initial);
    this.perDirection = this.computeDirections();
  }

  get faults(): Faults {
    return this.current;
  }

  /** Effective faults of one direction (cached until the next change). */
  of(direction: Direction): DirectionFaults {
    return this.perDirection[direction];
  }

  /** Counters of one direction, mutable by the proxy. */
  counter(direction: Direction): DirectionStats {
    return this.counters[direction];
  }

  /** Validates and applies an update, then notifies listeners. */
  update(update: FaultsUpdate): void {
    validateFaultsUpdate(update, this.protocol);
    this.apply(mergeFaults(this.current, update));
  }

  /** Removes every fault. */
  clear(): void {
    this.apply(NO_FAULTS);
  }

  /** Calls fn after every change. */
  onChange(fn: (faults: Faults) => void): void {
    this.listeners.add(fn);
  }

  /** A deep copy of the counters. */
  snapshot(activeFlows: number, totalFlows: number): FaultProxyStats {
    return {
      upstream: { ...this.counters.upstream },
      downstream: { ...this.counters.downstream },
      activeFlows,
      totalFlows,
    };
  }

  /** Delay of one packet: latency plus uniform jitter, never negative. */
  sampleDelay(f: DirectionFaults): number {
    if (f.jitterMs === 0) return f.latencyMs;
    return Math.max(0, f.latencyMs + (this.random() * 2 - 1) * f.jitterMs);
  }

  /** True with probability `rate`; draws from the PRNG only when 0 < rate. */
  chance(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }

  dispose(): void {
    this.listeners.clear();
  }

  private apply(next: Faults): void {
    this.current = next;
    this.perDirection = this.computeDirections();
    for (const fn of this.listeners) fn(next);
  }

  private computeDirections(): Record<Direction, DirectionFaults> {
    return {
      upstream: directionFaults(this.current, 'upstream'),
      downstream: directionFaults(this.current, 'downstream'),
    };
  }
}
