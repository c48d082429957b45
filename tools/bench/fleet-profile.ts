/**
 * Profiling workload for the reference fleet: one long-lived rig (coordinator, analyser and
 * EXECUTORS executors in this process), BATCHES batches of N zero-length tasks, printing per batch
 * tasks/s, CPU per task (all agents) and UDP datagrams sent per task (all agents; QUIC only). The
 * datagram count does not depend on machine load, so it is the figure to compare across changes.
 *
 *   npx nx run-many -t build
 *   npx tsx tools/bench/fleet-profile.ts
 *   npx node --cpu-prof --cpu-prof-dir /tmp/fprof --import tsx tools/bench/fleet-profile.ts
 *   npx tsx tools/bench/quic-profile-summary.ts /tmp/fprof/*.cpuprofile
 *
 * Environment: TRANSPORT=quic|tcp (default quic), EXECUTORS (4), BATCHES (6), N (800), TASK_MS (0).
 */
import dgram from 'node:dgram';
import { startFleetRig } from './fleet-rig';

let datagrams = 0;
const originalSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function countedSend(this: dgram.Socket, ...args: unknown[]) {
  datagrams += 1;
  return (originalSend as (...a: unknown[]) => void).apply(this, args);
} as typeof dgram.Socket.prototype.send;

const transport = process.env.TRANSPORT === 'tcp' ? 'tcp' : 'quic';
const executors = Number(process.env.EXECUTORS ?? 4);
const batches = Number(process.env.BATCHES ?? 6);
const tasks = Number(process.env.N ?? 800);
const rig = await startFleetRig({ executors, transport, taskMs: Number(process.env.TASK_MS ?? 0) });
try {
  await rig.runBatch(Math.max(40, executors * 8)); // warm-up: dial every peer, JIT
  for (let batch = 1; batch <= batches; batch += 1) {
    const d0 = datagrams;
    const c0 = process.cpuUsage();
    const record = await rig.runBatch(tasks, AbortSignal.timeout(300_000));
    const cpu = process.cpuUsage(c0);
    const done = Math.max(1, record.accounting.completedOnce);
    console.log(
      `${transport} batch ${batch}: ${((done / record.durationMs) * 1000).toFixed(1)} tasks/s, ` +
        `${((cpu.user + cpu.system) / 1000 / done).toFixed(2)} ms CPU/task, ` +
        `${((datagrams - d0) / done).toFixed(2)} datagrams/task`,
    );
  }
} finally {
  await rig.close();
}
