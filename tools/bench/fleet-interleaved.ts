/**
 * Fleet throughput of QUIC and TCP with both fleets up at once and measured in alternating
 * batches (ABBA order), as interleaved-echo.ts does for sequential echoes. One batch of 1,500
 * tasks lasts about 0.3 s: measured one transport after the other, the machine's drift within a
 * minute moved the ratio by more than the change being judged (0.34–0.65 for the same build).
 */
import { ms } from './bench-output';
import { startFleetRig, type FleetRig } from './fleet-rig';

export interface InterleavedFleetOptions {
  readonly executors: number;
  /** Tasks per measured batch, per transport. */
  readonly batchTasks: { readonly quic: number; readonly tcp: number };
  /** Measured batches per transport. */
  readonly batches: number;
  /** Tasks per transport before measuring (dials every peer, JIT). */
  readonly warmupTasks: number;
}

export interface InterleavedFleetRow {
  readonly tasks: number;
  readonly completedOnce: number;
  readonly lost: number;
  readonly durationS: number;
  readonly tasksPerSec: number;
  readonly cpuMsPerTask: number;
  /** tasks/s of each batch, in the order run. */
  readonly batchTasksPerSec: readonly number[];
}

interface Totals {
  tasks: number;
  completedOnce: number;
  lost: number;
  durationMs: number;
  cpuMs: number;
  perBatch: number[];
}

async function measuredBatch(rig: FleetRig, tasks: number, into: Totals): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const record = await rig.runBatch(tasks, AbortSignal.timeout(300_000));
  const cpu = process.cpuUsage(cpuBefore);
  const a = record.accounting;
  into.tasks += a.tasks;
  into.completedOnce += a.completedOnce;
  into.lost += a.lost;
  into.durationMs += record.durationMs;
  into.cpuMs += (cpu.user + cpu.system) / 1000;
  into.perBatch.push(Math.round((a.completedOnce / record.durationMs) * 1000));
}

function row(t: Totals): InterleavedFleetRow {
  return {
    tasks: t.tasks,
    completedOnce: t.completedOnce,
    lost: t.lost,
    durationS: ms(t.durationMs / 1000),
    tasksPerSec: Math.round((t.completedOnce / t.durationMs) * 1000 * 10) / 10,
    cpuMsPerTask: ms(t.cpuMs / Math.max(1, t.completedOnce)),
    batchTasksPerSec: t.perBatch,
  };
}

/** 0 ms tasks on both fleets, batch by batch: Q T T Q Q T ... */
export async function measureFleetInterleaved(
  o: InterleavedFleetOptions,
): Promise<{ quic: InterleavedFleetRow; tcp: InterleavedFleetRow }> {
  const rigs = {
    quic: await startFleetRig({ executors: o.executors, transport: 'quic', taskMs: 0 }),
    tcp: await startFleetRig({ executors: o.executors, transport: 'tcp', taskMs: 0 }),
  };
  try {
    await rigs.quic.runBatch(o.warmupTasks);
    await rigs.tcp.runBatch(o.warmupTasks);
    const totals = {
      quic: { tasks: 0, completedOnce: 0, lost: 0, durationMs: 0, cpuMs: 0, perBatch: [] },
      tcp: { tasks: 0, completedOnce: 0, lost: 0, durationMs: 0, cpuMs: 0, perBatch: [] },
    };
    for (let batch = 0; batch < o.batches; batch++) {
      const order: Array<'quic' | 'tcp'> = batch % 2 === 0 ? ['quic', 'tcp'] : ['tcp', 'quic'];
      for (const kind of order) await measuredBatch(rigs[kind], o.batchTasks[kind], totals[kind]);
    }
    return { quic: row(totals.quic), tcp: row(totals.tcp) };
  } finally {
    await rigs.quic.close();
    await rigs.tcp.close();
  }
}
