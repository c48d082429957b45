/**
 * A long-lived reference fleet (apps/qe-fleet's agents, in this process) for the fleet
 * throughput benchmark and the soak: one coordinator node, one analyser, N executors, each with
 * its own transport, socket and /metrics server, connected over QUIC or TLS/TCP. Work arrives in
 * batches: each batch is a fresh CoordinatorAgent (its own task ledger) on the same coordinator
 * node, so connections live as long as the rig.
 *
 * Tasks are synthetic replay tasks of a fixed duration (`taskMs`; 0 = pure coordination cost)
 * and failure rate (a failure makes the executor ask the analyser, which answers with a
 * constant stub model: the model is not what these measure; learning-bench measures it).
 *
 * Build first: npx nx run-many -t build   (the fleet app is imported from its source,
 * apps/qe-fleet/src: its package.json has no exports/main yet)
 */
// apps/qe-fleet's package.json has no exports/main yet, so '@agentlink/qe-fleet' does not resolve;
// switch to the package name once it does.
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  AnalyserAgent,
  LatencyHistogram,
  CoordinatorAgent,
  ExecutorAgent,
  startAgentNode,
  type AgentNode,
  type FlakinessPredictor,
  type RunRecord,
  type TaskSpec,
} from '../../apps/qe-fleet/src/index';
import { createDevelopmentCredentials } from '@agentlink/transport';

export { LatencyHistogram };

export interface FleetRigOptions {
  readonly executors: number;
  readonly transport: 'quic' | 'tcp';
  /** Replayed duration of every task, in ms. */
  readonly taskMs: number;
  /** Probability 0..1 that a task's execution fails (then the analyser is asked). Default 0. */
  readonly failRate?: number;
  /** Unanswered dispatches per executor (coordinator window). Default the coordinator's (8). */
  readonly window?: number;
}

/** The coordinator's record of one batch, plus what only the rig can tell. */
export interface BatchRecord extends RunRecord {
  readonly latency: { count: number; p50: number; p95: number; p99: number; max: number };
  /**
   * Results of tasks of an earlier batch that arrived during this one. The ledger books them as
   * phantom (it never sent them), but they are late duplicates: an assignment timed out, the task
   * was re-dispatched and completed elsewhere, and the first executor delivered anyway. Within a
   * single fleet run these are counted as duplicates; subtract them from accounting.phantom.
   */
  readonly lateFromEarlierBatches: number;
}

export interface FleetRig {
  readonly coordinatorNode: AgentNode;
  readonly nodes: readonly AgentNode[];
  readonly executors: readonly ExecutorAgent[];
  /**
   * Dispatches `tasks` synthetic tasks and resolves with the coordinator's record once all are
   * booked (or `signal` aborts).
   */
  runBatch(tasks: number, signal?: AbortSignal): Promise<BatchRecord>;
  close(): Promise<void>;
}

const stubPredictor: FlakinessPredictor = {
  description: 'constant stub (benchmarks)',
  predict: async () => ({ probability: 0.9, flaky: true, fallback: false }),
  dispose: () => undefined,
};

let batchNumber = 0;

function syntheticTasks(count: number, taskMs: number, failRate: number): Map<string, TaskSpec> {
  batchNumber += 1;
  const tasks = new Map<string, TaskSpec>();
  for (let i = 0; i < count; i += 1) {
    const id = `b${batchNumber}.t${i}`;
    const test = {
      id,
      project: 'bench',
      flaky: false,
      failRate,
      recordedMs: taskMs,
      features: { lines: 10, assertions: 2 },
    };
    tasks.set(id, {
      kind: 'replay',
      test,
      timing: { timeScale: 1, maxTestMs: Math.max(taskMs, 0) },
      seed: batchNumber,
    } as TaskSpec);
  }
  return tasks;
}

/** Starts the coordinator, analyser and executors on 127.0.0.1 and connects them. */
export async function startFleetRig(options: FleetRigOptions): Promise<FleetRig> {
  if (!Number.isInteger(options.executors) || options.executors < 1) {
    throw new Error(`executors must be a positive integer, got ${options.executors}`);
  }
  const executorIds = Array.from({ length: options.executors }, (_, i) => `executor-${i + 1}`);
  const ids = ['coordinator', 'analyser', ...executorIds];
  const { agents: credentials } = await createDevelopmentCredentials({ agentIds: ids });
  // The rig made its own development CA: its transports accept those certificates.
  const nodes: AgentNode[] = [];
  try {
    for (const id of ids) {
      const role = id === 'coordinator' ? 'coordinator' : id === 'analyser' ? 'analyser' : 'executor';
      const credential = credentials[id]!;
      const transport = options.transport;
      const node = await startAgentNode({ id, role, transport, credentials: credential, development: true });
      nodes.push(node);
    }
  } catch (error) {
    await Promise.allSettled(nodes.map((n) => n.close()));
    throw error;
  }
  const directory = new Map(nodes.map((n) => [n.id, n.endpoint] as const));
  for (const node of nodes) node.link.setDirectory(directory);
  const [coordinatorNode, analyserNode, ...executorNodes] = nodes as [AgentNode, AgentNode, ...AgentNode[]];
  new AnalyserAgent({ link: analyserNode.link, predictor: stubPredictor });
  const executors = executorNodes.map(
    (node) => new ExecutorAgent({ link: node.link, coordinatorId: 'coordinator', analyserId: 'analyser' }),
  );
  return {
    coordinatorNode,
    nodes,
    executors,
    async runBatch(count, signal) {
      const coordinator = new CoordinatorAgent({
        link: coordinatorNode.link,
        executors: executorIds,
        tasks: syntheticTasks(count, options.taskMs, options.failRate ?? 0),
        ...(options.window === undefined ? {} : { window: options.window }),
      });
      const thisBatch = `b${batchNumber}.`;
      let late = 0;
      coordinator.on('booked', ({ taskId, booking }) => {
        if (booking === 'phantom' && /^b\d+\.t\d+$/.test(taskId) && !taskId.startsWith(thisBatch)) late += 1;
      });
      try {
        const record = await coordinator.run(signal);
        return { ...record, latency: coordinator.latency.summary(), lateFromEarlierBatches: late };
      } finally {
        coordinator.close();
      }
    },
    async close() {
      await Promise.allSettled(executors.map((e) => e.close()));
      await Promise.allSettled(nodes.map((n) => n.close()));
    },
  };
}
