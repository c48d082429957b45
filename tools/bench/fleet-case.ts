/**
 * One fleet throughput measurement: a reference fleet (fleet-rig.ts, every agent in this process)
 * with N executors, a warm-up batch, then one measured batch of synthetic tasks, with the
 * process's CPU, event-loop use and delay during that batch.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { ms } from './bench-output';
import { startFleetRig } from './fleet-rig';

export interface FleetCase {
  readonly transport: 'quic' | 'tcp';
  readonly taskMs: number;
  readonly executors: number;
  /** Tasks of the measured batch. */
  readonly tasks: number;
  /** UDP datagrams sent so far by this process, when the caller counts them. */
  readonly countDatagrams?: () => number;
}

export interface FleetRow {
  readonly taskMs: number;
  readonly executors: number;
  readonly tasks: number;
  readonly completedOnce: number;
  readonly lost: number;
  readonly durationS: number;
  readonly tasksPerSec: number;
  readonly taskP50Ms: number;
  readonly taskP99Ms: number;
  readonly redispatches: number;
  /** 4 slots per executor, each finishing one task per taskMs (null for 0 ms tasks). */
  readonly idealTasksPerSec: number | null;
  /** CPU time of this process (every agent) during the measured batch, as % of one core. */
  readonly processCpuPct: number;
  /** Share of wall time the event loop was not idle; near 100 % the JavaScript thread is saturated. */
  readonly eventLoopBusyPct: number;
  /** CPU time per completed task, all agents together, in ms. */
  readonly cpuMsPerTask: number;
  readonly eventLoopDelayP50Ms: number;
  readonly eventLoopDelayP99Ms: number;
  /** UDP datagrams sent per completed task, all agents (0 for TCP or when not counted). */
  readonly datagramsPerTask: number;
}

/** Starts the fleet, runs a warm-up batch and the measured batch, and closes the fleet. */
export async function measureFleetCase(c: FleetCase): Promise<FleetRow> {
  const rig = await startFleetRig({ executors: c.executors, transport: c.transport, taskMs: c.taskMs });
  try {
    await rig.runBatch(Math.max(20, c.executors * 8)); // warm-up: dial every peer, JIT
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    const datagramsBefore = c.countDatagrams?.() ?? 0;
    const record = await rig.runBatch(c.tasks, AbortSignal.timeout(300_000));
    const cpu = process.cpuUsage(cpuBefore);
    const elu = performance.eventLoopUtilization(eluBefore);
    loopDelay.disable();
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const a = record.accounting;
    return {
      taskMs: c.taskMs,
      executors: c.executors,
      tasks: a.tasks,
      completedOnce: a.completedOnce,
      lost: a.lost,
      durationS: ms(record.durationMs / 1000),
      tasksPerSec: Math.round((a.completedOnce / record.durationMs) * 1000 * 10) / 10,
      taskP50Ms: ms(record.latency.p50),
      taskP99Ms: ms(record.latency.p99),
      redispatches: record.redispatches,
      idealTasksPerSec: c.taskMs > 0 ? Math.round((c.executors * 4 * 1000) / c.taskMs) : null,
      processCpuPct: Math.round((cpuMs / record.durationMs) * 1000) / 10,
      eventLoopBusyPct: Math.round(elu.utilization * 1000) / 10,
      cpuMsPerTask: ms(cpuMs / Math.max(1, a.completedOnce)),
      eventLoopDelayP50Ms: ms(loopDelay.percentile(50) / 1e6),
      eventLoopDelayP99Ms: ms(loopDelay.percentile(99) / 1e6),
      datagramsPerTask:
        Math.round((((c.countDatagrams?.() ?? 0) - datagramsBefore) / Math.max(1, a.completedOnce)) * 100) / 100,
    };
  } finally {
    await rig.close();
  }
}
