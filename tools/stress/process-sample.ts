/**
 * What the stress test and the soak record about the process at each sample: heap in use after
 * forced GC (needs `node --expose-gc`), RSS, external memory and active handles by type.
 */
import { takeSnapshot } from '@agentlink/test-harness';

export interface ProcessSample {
  /** Seconds since the run's baseline. */
  readonly atS: number;
  /** process.memoryUsage().heapUsed after three full GCs, in MiB. */
  readonly heapAfterGcMiB: number;
  readonly rssMiB: number;
  readonly externalMiB: number;
  /** Count of process.getActiveResourcesInfo() entries, all types. */
  readonly handles: number;
  readonly handlesByType: Readonly<Record<string, number>>;
}

const MIB = 1024 * 1024;

/** Forces GC and samples memory and handles. */
export async function sampleProcess(startedAt: number): Promise<ProcessSample> {
  const snapshot = await takeSnapshot();
  const memory = process.memoryUsage();
  const handles = Object.values(snapshot.resources).reduce((sum, n) => sum + n, 0);
  return {
    atS: Math.round((performance.now() - startedAt) / 100) / 10,
    heapAfterGcMiB: round(snapshot.heapUsedBytes / MIB),
    rssMiB: round(memory.rss / MIB),
    externalMiB: round(memory.external / MIB),
    handles,
    handlesByType: snapshot.resources,
  };
}

/**
 * Handle types whose count is higher in `after` than in `before`. `ignore` names types that are
 * not held resources: an open endpoint may have a send-drain `Immediate` queued at the moment of
 * a sample (1 → 2 seen in a 1M run); one that never ran would show after close, which is checked.
 */
export function grownHandles(
  before: ProcessSample,
  after: ProcessSample,
  ignore: readonly string[] = [],
): Record<string, { before: number; after: number }> {
  const grown: Record<string, { before: number; after: number }> = {};
  for (const type of new Set([...Object.keys(before.handlesByType), ...Object.keys(after.handlesByType)])) {
    if (ignore.includes(type)) continue;
    const was = before.handlesByType[type] ?? 0;
    const now = after.handlesByType[type] ?? 0;
    if (now > was) grown[type] = { before: was, after: now };
  }
  return grown;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
