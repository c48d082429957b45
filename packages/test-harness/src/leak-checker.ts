import { InvalidOptionsError, GcUnavailableError, LeakDetectedError, type LeakFinding } from './errors';

/** Heap and active resources at one moment, after forced garbage collection. */
export interface LeakSnapshot {
  /** process.memoryUsage().heapUsed after GC, in bytes. */
  readonly heapUsedBytes: number;
  /** Counts of process.getActiveResourcesInfo() by type, e.g. { TCPSocketWrap: 2, Timeout: 1 }. */
  readonly resources: Readonly<Record<string, number>>;
  /** performance.now() when taken, in ms. */
  readonly takenAt: number;
}

/** How much growth is tolerated between two snapshots. */
export interface LeakTolerance {
  /** Allowed heap growth in bytes. Default 1 MiB. */
  readonly heapBytes?: number;
  /** Allowed growth of each resource type. Default 0. */
  readonly handles?: number;
  /** Resource types not compared (e.g. 'TTYWrap'). Default none. */
  readonly ignore?: readonly string[];
}

/** What grew between two snapshots. */
export interface LeakComparison {
  readonly leaked: boolean;
  readonly heapGrowthBytes: number;
  /** Growth per resource type (only types that changed; negative when released). */
  readonly resourceGrowth: Readonly<Record<string, number>>;
  /** The growths beyond tolerance. */
  readonly findings: readonly LeakFinding[];
}

/** Options of takeSnapshot(). */
export interface SnapshotOptions {
  /** Full GC passes, each followed by a turn of the event loop so finalizers run. Default 3. */
  readonly gcPasses?: number;
}

type Gc = () => void;

function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Forces GC (needs node --expose-gc) and records heap in use and active resources by type. */
export async function takeSnapshot(options: SnapshotOptions = {}): Promise<LeakSnapshot> {
  const gc = (globalThis as { gc?: Gc }).gc;
  if (typeof gc !== 'function') throw new GcUnavailableError();
  const passes = options.gcPasses ?? 3;
  if (!Number.isInteger(passes) || passes < 1)
    throw new InvalidOptionsError(`gcPasses must be an integer >= 1, got ${String(passes)}`);
  for (let i = 0; i < passes; i++) {
    gc();
    // Let close callbacks and FinalizationRegistry callbacks run between passes.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { heapUsedBytes: process.memoryUsage().heapUsed, resources: countResources(), takenAt: performance.now() };
}

/** Compares two snapshots against a tolerance. */
export function compareSnapshots(
  before: LeakSnapshot,
  after: LeakSnapshot,
  tolerance: LeakTolerance = {},
): LeakComparison {
  const heapBytes = tolerance.heapBytes ?? 1024 * 1024;
  const handles = tolerance.handles ?? 0;
  if (!(heapBytes >= 0) || !(handles >= 0))
    throw new InvalidOptionsError('tolerance.heapBytes and tolerance.handles must be >= 0');
  const ignored = new Set(tolerance.ignore ?? []);
  const findings: LeakFinding[] = [];
  const heapGrowthBytes = after.heapUsedBytes - before.heapUsedBytes;
  if (heapGrowthBytes > heapBytes) {
    findings.push({
      resource: 'heap',
      before: before.heapUsedBytes,
      after: after.heapUsedBytes,
      allowedGrowth: heapBytes,
    });
  }
  const resourceGrowth: Record<string, number> = {};
  for (const type of new Set([...Object.keys(before.resources), ...Object.keys(after.resources)])) {
    const was = before.resources[type] ?? 0;
    const now = after.resources[type] ?? 0;
    if (now === was) continue;
    resourceGrowth[type] = now - was;
    if (!ignored.has(type) && now - was > handles)
      findings.push({ resource: type, before: was, after: now, allowedGrowth: handles });
  }
  return { leaked: findings.length > 0, heapGrowthBytes, resourceGrowth, findings };
}

/** Throws LeakDetectedError (ERR_LEAK_DETECTED) listing what grew beyond the tolerance. */
export function assertNoLeak(before: LeakSnapshot, after: LeakSnapshot, tolerance?: LeakTolerance): LeakComparison {
  const comparison = compareSnapshots(before, after, tolerance);
  if (comparison.leaked) throw new LeakDetectedError(comparison.findings);
  return comparison;
}

/** Snapshots, runs fn, snapshots again and asserts nothing grew beyond the tolerance. */
export async function withLeakCheck<T>(
  fn: () => Promise<T>,
  tolerance?: LeakTolerance,
): Promise<{ result: T; comparison: LeakComparison }> {
  const before = await takeSnapshot();
  const result = await fn();
  const after = await takeSnapshot();
  return { result, comparison: assertNoLeak(before, after, tolerance) };
}
