import { InvalidOptionsError } from '../errors';
import type { Direction, DirectionFaults, Faults, FaultsUpdate } from './types';

/** No faults at all: a transparent proxy. */
export const NO_FAULTS: Faults = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderDelayMs: 10,
  corruptRate: 0,
  bandwidthBytesPerSec: 0,
  blackhole: false,
  reset: false,
  partition: false,
  upstream: Object.freeze({}),
  downstream: Object.freeze({}),
});

const RATE_KEYS = ['lossRate', 'duplicateRate', 'reorderRate', 'corruptRate'] as const;
const NON_NEGATIVE_KEYS = ['latencyMs', 'jitterMs', 'reorderDelayMs', 'bandwidthBytesPerSec'] as const;
const BOOLEAN_DIRECTION_KEYS = ['blackhole'] as const;
const DIRECTION_KEYS = new Set<string>([...RATE_KEYS, ...NON_NEGATIVE_KEYS, ...BOOLEAN_DIRECTION_KEYS]);
const TOP_KEYS = new Set<string>([...DIRECTION_KEYS, 'reset', 'partition', 'upstream', 'downstream']);
const UDP_ONLY = ['duplicateRate', 'reorderRate', 'corruptRate'] as const;

export type ProxyProtocol = 'udp' | 'tcp';

function validateDirection(
  where: string,
  value: Record<string, unknown>,
  protocol: ProxyProtocol,
  keys: Set<string>,
): void {
  for (const key of Object.keys(value)) {
    if (!keys.has(key))
      throw new InvalidOptionsError(`${where}.${key} is not a known fault; known: ${[...keys].join(', ')}`);
  }
  for (const key of RATE_KEYS) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new InvalidOptionsError(`${where}.${key} must be a probability between 0 and 1, got ${String(v)}`);
    }
  }
  for (const key of NON_NEGATIVE_KEYS) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new InvalidOptionsError(`${where}.${key} must be a finite number >= 0, got ${String(v)}`);
    }
  }
  for (const key of ['blackhole', 'reset', 'partition']) {
    const v = value[key];
    if (v !== undefined && typeof v !== 'boolean') throw new InvalidOptionsError(`${where}.${key} must be a boolean`);
  }
  if (protocol === 'tcp') {
    for (const key of UDP_ONLY) {
      if ((value[key] ?? 0) !== 0) {
        throw new InvalidOptionsError(
          `${where}.${key} applies to UDP only: ` +
            'a TCP byte stream cannot duplicate, reorder or corrupt (the kernel would repair it)',
        );
      }
    }
  }
}

/** Checks a faults update and throws InvalidOptionsError naming the bad field. */
export function validateFaultsUpdate(update: unknown, protocol: ProxyProtocol): asserts update is FaultsUpdate {
  if (typeof update !== 'object' || update === null) throw new InvalidOptionsError('faults must be an object');
  const record = update as Record<string, unknown>;
  validateDirection('faults', record, protocol, TOP_KEYS);
  if (protocol === 'udp' && record.reset === true) {
    throw new InvalidOptionsError(
      'faults.reset applies to TCP only: UDP has no connection to reset; use blackhole or partition',
    );
  }
  for (const direction of ['upstream', 'downstream'] as const) {
    const sub = record[direction];
    if (sub === undefined) continue;
    if (typeof sub !== 'object' || sub === null)
      throw new InvalidOptionsError(`faults.${direction} must be an object`);
    validateDirection(`faults.${direction}`, sub as Record<string, unknown>, protocol, DIRECTION_KEYS);
  }
}

/** Applies an update: top-level fields replace, direction overrides merge field by field. */
export function mergeFaults(current: Faults, update: FaultsUpdate): Faults {
  return Object.freeze({
    ...current,
    ...update,
    upstream: Object.freeze({ ...current.upstream, ...update.upstream }),
    downstream: Object.freeze({ ...current.downstream, ...update.downstream }),
  });
}

/** The faults that apply to one direction: base fields overlaid with that direction's overrides. */
export function directionFaults(faults: Faults, direction: Direction): DirectionFaults {
  const base: DirectionFaults = {
    latencyMs: faults.latencyMs,
    jitterMs: faults.jitterMs,
    lossRate: faults.lossRate,
    duplicateRate: faults.duplicateRate,
    reorderRate: faults.reorderRate,
    reorderDelayMs: faults.reorderDelayMs,
    corruptRate: faults.corruptRate,
    bandwidthBytesPerSec: faults.bandwidthBytesPerSec,
    blackhole: faults.blackhole,
  };
  return { ...base, ...faults[direction] };
}

/** Checks dropNext()'s arguments and throws InvalidOptionsError naming the bad one. */
export function validateDropNext(direction: unknown, minBytes: unknown): { direction: Direction; minBytes: number } {
  if (direction !== 'upstream' && direction !== 'downstream') {
    throw new InvalidOptionsError(`dropNext direction must be 'upstream' or 'downstream', got ${String(direction)}`);
  }
  if (typeof minBytes !== 'number' || !Number.isFinite(minBytes) || minBytes < 0) {
    throw new InvalidOptionsError(`dropNext minBytes must be a finite number >= 0, got ${String(minBytes)}`);
  }
  return { direction, minBytes };
}
