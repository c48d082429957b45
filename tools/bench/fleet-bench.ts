/**
 * Fleet throughput: tasks per second the reference fleet (apps/qe-fleet's coordinator,
 * analyser and executors, in this process) completes as executors are added (1, 2, 4, 8),
 * over QUIC and TLS/TCP. Two workloads:
 *   --task-ms 0   tasks that take no time: the figure is the coordination cost alone
 *                 (assign + result per task, ~4 messages), i.e. where the coordinator saturates;
 *   --task-ms 50  tasks that take 50 ms (sleep) on 4 slots per executor: throughput should grow
 *                 with executors (ideal 80 tasks/s each) until the coordinator saturates.
 * Every run books every task exactly once (the ledger's accounting is checked).
 *
 * All agents share this process and the machine's cores, so "adding executors" adds
 * concurrency, not CPU: on 2 cores the ceiling is the coordinator plus the executors' share.
 *
 * Every row also records the process's CPU use during the batch (all agents: the single event-loop
 * thread saturates at ~100 %), CPU per task, UDP datagrams per task and event-loop delay.
 *
 * Build first: npx nx run-many -t build
 * Run: npx tsx tools/bench/fleet-bench.ts [--executors 1,2,4,8] [--task-ms 0,50]
 *      [--tasks 600] [--tcp-tasks 3000] [--transports quic,tcp] [--out file.json]
 * --transports also takes quic-tick: QUIC with the send flush of the first version of the
 * @matrixai/quic patch (process.nextTick), for a before/after comparison in one run.
 * Writes tools/bench/results/fleet.json (or --out).
 */
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import { QUICConnection } from '@matrixai/quic';
import { renderMarkdownTable } from '@agentlink/test-harness';
import { writeResult } from './bench-output';
import { measureFleetCase, type FleetRow } from './fleet-case';
import { describeMachine, machineInfo } from './machine-info';

const { values } = parseArgs({
  options: {
    executors: { type: 'string', default: '1,2,4,8' },
    'task-ms': { type: 'string', default: '0,50' },
    tasks: { type: 'string', default: '600' },
    'tcp-tasks': { type: 'string', default: '3000' },
    transports: { type: 'string', default: 'quic,tcp' },
    out: { type: 'string' },
  },
});
const EXECUTORS = values.executors.split(',').map(Number);
const TASK_MS = values['task-ms'].split(',').map(Number);
const TASKS = Number(values.tasks);
// TCP finishes 600 zero-length tasks in well under a second: too short to be a stable figure.
const TCP_TASKS = Number(values['tcp-tasks']);
// 'quic-tick' is QUIC with the flush of the first version of the patch (process.nextTick instead
// of setImmediate), to compare the two in one run: see patches/README.md, hunk 4.
type Variant = 'quic' | 'quic-tick' | 'tcp';
const KINDS = values.transports.split(',') as Variant[];
for (const kind of KINDS) {
  if (!['quic', 'quic-tick', 'tcp'].includes(kind)) throw new Error(`unknown transport ${kind}`);
}

let tickFlush = false;
interface Flushing {
  sendScheduled: boolean;
  sendScheduledFlush: () => void;
  scheduleSend(): void;
}
const proto = QUICConnection.prototype as unknown as Flushing;
const immediateFlush = proto.scheduleSend;
if (typeof immediateFlush !== 'function') {
  throw new Error('@matrixai/quic is not patched (no scheduleSend): run npx patch-package');
}
proto.scheduleSend = function scheduleSend(this: Flushing): void {
  if (!tickFlush) return immediateFlush.call(this);
  if (this.sendScheduled) return;
  this.sendScheduled = true;
  process.nextTick(this.sendScheduledFlush);
};

// UDP datagrams sent by every agent of this process: a load-independent cost per task.
let datagrams = 0;
const originalSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function countedSend(this: dgram.Socket, ...args: unknown[]) {
  datagrams += 1;
  return (originalSend as (...a: unknown[]) => void).apply(this, args);
} as typeof dgram.Socket.prototype.send;

interface Row extends FleetRow {
  transport: Variant;
}

const machine = machineInfo();
console.log(`fleet bench: ${describeMachine(machine)}`);
const rows: Row[] = [];
for (const taskMs of TASK_MS) {
  for (const kind of KINDS) {
    for (const executors of EXECUTORS) {
      tickFlush = kind === 'quic-tick';
      const transport = kind === 'tcp' ? 'tcp' : 'quic';
      const tasks = kind === 'tcp' ? TCP_TASKS : TASKS;
      const measured = await measureFleetCase({
        transport,
        taskMs,
        executors,
        tasks,
        countDatagrams: () => datagrams,
      });
      const row: Row = { transport: kind, ...measured };
      rows.push(row);
      console.log(
        `${kind} ${taskMs} ms tasks, ${executors} executor(s): ${row.tasksPerSec} tasks/s ` +
          `(${row.completedOnce}/${row.tasks} in ${row.durationS} s, ` +
          `p50 ${row.taskP50Ms} ms, p99 ${row.taskP99Ms} ms, ` +
          `${row.redispatches} re-dispatches, CPU ${row.processCpuPct} % = ${row.cpuMsPerTask} ms/task, ` +
          `loop busy ${row.eventLoopBusyPct} %, ${row.datagramsPerTask} datagrams/task, ` +
          `loop delay p99 ${row.eventLoopDelayP99Ms} ms)`,
      );
    }
  }
}

const table = rows.map((r) => ({
  transport: r.transport,
  'task (ms)': r.taskMs,
  executors: r.executors,
  'tasks/s': r.tasksPerSec,
  'ideal tasks/s': r.idealTasksPerSec,
  'completed once': `${r.completedOnce}/${r.tasks}`,
  'task p50 (ms)': r.taskP50Ms,
  'task p99 (ms)': r.taskP99Ms,
  're-dispatches': r.redispatches,
  'CPU %': r.processCpuPct,
  'loop busy %': r.eventLoopBusyPct,
  'CPU ms/task': r.cpuMsPerTask,
  'datagrams/task': r.datagramsPerTask,
}));
console.log(`\n${renderMarkdownTable(table)}`);
const command = `npx tsx tools/bench/fleet-bench.ts ${process.argv.slice(2).join(' ')}`.trim();
const tasksPerRun = { quic: TASKS, tcp: TCP_TASKS };
console.log(`\nwrote ${writeResult('fleet', { command, machine, tasksPerRun, rows }, values.out)}`);
process.exitCode = rows.every((r) => r.completedOnce === r.tasks && r.lost === 0) ? 0 : 1;
