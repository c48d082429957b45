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
 * Build first: npx nx run-many -t build
 * Run: npx tsx tools/bench/fleet-bench.ts [--executors 1,2,4,8] [--task-ms 0,50]
 *      [--tasks 600] [--tcp-tasks 3000] [--transports quic,tcp]
 * Writes tools/bench/results/fleet.json.
 */
import { parseArgs } from 'node:util';
import { renderMarkdownTable } from '@agentlink/test-harness';
import { ms, writeResult } from './bench-output';
import { startFleetRig } from './fleet-rig';
import { describeMachine, machineInfo } from './machine-info';

const { values } = parseArgs({
  options: {
    executors: { type: 'string', default: '1,2,4,8' },
    'task-ms': { type: 'string', default: '0,50' },
    tasks: { type: 'string', default: '600' },
    'tcp-tasks': { type: 'string', default: '3000' },
    transports: { type: 'string', default: 'quic,tcp' },
  },
});
const EXECUTORS = values.executors.split(',').map(Number);
const TASK_MS = values['task-ms'].split(',').map(Number);
const TASKS = Number(values.tasks);
// TCP finishes 600 zero-length tasks in well under a second: too short to be a stable figure.
const TCP_TASKS = Number(values['tcp-tasks']);
const KINDS = values.transports.split(',') as Array<'quic' | 'tcp'>;

interface Row {
  transport: 'quic' | 'tcp';
  taskMs: number;
  executors: number;
  tasks: number;
  completedOnce: number;
  lost: number;
  durationS: number;
  tasksPerSec: number;
  taskP50Ms: number;
  taskP99Ms: number;
  redispatches: number;
  idealTasksPerSec: number | null;
}

const machine = machineInfo();
console.log(`fleet bench: ${describeMachine(machine)}`);
const rows: Row[] = [];
for (const taskMs of TASK_MS) {
  for (const kind of KINDS) {
    for (const executors of EXECUTORS) {
      const rig = await startFleetRig({ executors, transport: kind, taskMs });
      try {
        await rig.runBatch(Math.max(20, executors * 8)); // warm-up: dial every peer, JIT
        const record = await rig.runBatch(kind === 'tcp' ? TCP_TASKS : TASKS, AbortSignal.timeout(300_000));
        const a = record.accounting;
        const row: Row = {
          transport: kind,
          taskMs,
          executors,
          tasks: a.tasks,
          completedOnce: a.completedOnce,
          lost: a.lost,
          durationS: ms(record.durationMs / 1000),
          tasksPerSec: Math.round((a.completedOnce / record.durationMs) * 1000 * 10) / 10,
          taskP50Ms: ms(record.latency.p50),
          taskP99Ms: ms(record.latency.p99),
          redispatches: record.redispatches,
          // 4 slots per executor (ExecutorAgent default), each finishing one task per taskMs.
          idealTasksPerSec: taskMs > 0 ? Math.round((executors * 4 * 1000) / taskMs) : null,
        };
        rows.push(row);
        console.log(`${kind} ${taskMs} ms tasks, ${executors} executor(s): ${row.tasksPerSec} tasks/s (${a.completedOnce}/${a.tasks} in ${row.durationS} s, p50 ${row.taskP50Ms} ms, p99 ${row.taskP99Ms} ms, ${record.redispatches} re-dispatches)`);
      } finally {
        await rig.close();
      }
    }
  }
}

console.log(
  `\n${renderMarkdownTable(rows.map((r) => ({ transport: r.transport, 'task (ms)': r.taskMs, executors: r.executors, 'tasks/s': r.tasksPerSec, 'ideal tasks/s': r.idealTasksPerSec, 'completed once': `${r.completedOnce}/${r.tasks}`, 'task p50 (ms)': r.taskP50Ms, 'task p99 (ms)': r.taskP99Ms, 're-dispatches': r.redispatches })))}`,
);
const command = `npx tsx tools/bench/fleet-bench.ts ${process.argv.slice(2).join(' ')}`.trim();
console.log(`\nwrote ${writeResult('fleet', { command, machine, tasksPerRun: { quic: TASKS, tcp: TCP_TASKS }, rows })}`);
process.exitCode = rows.every((r) => r.completedOnce === r.tasks && r.lost === 0) ? 0 : 1;
