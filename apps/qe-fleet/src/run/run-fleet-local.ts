import { createDevelopmentCredentials } from '@agentlink/transport';
import { startAgentNode, type AgentNode } from '../fleet/agent-node';
import type { TransportChoice } from '../messaging/create-transport';
import type { PeerEndpoint } from '../messaging/fleet-link';
import { FileExecutor } from './file-executor';

export const RUN_COORDINATOR_ID = 'coordinator';

/** A coordinator node and its executors, each with its own transport, socket and /metrics. */
export interface RunFleet {
  readonly coordinator: AgentNode;
  readonly executorIds: readonly string[];
  /** In-process executors (empty when they run as processes). */
  readonly executors: ReadonlyMap<string, { readonly node: AgentNode; readonly agent: FileExecutor }>;
  /** Process id of an executor running in its own process. */
  pid?(executorId: string): number | undefined;
  /** Ends an executor abruptly: SIGKILL for a process, force close in-process (tests). */
  kill(executorId: string): Promise<void>;
  close(): Promise<void>;
}

export interface LocalRunFleetOptions {
  readonly executors: number;
  readonly slots: number;
  readonly transport: TransportChoice;
  readonly fileTimeoutMs?: number;
}

/** Starts the coordinator's node and `executors` file executors in this process (development CA). */
export async function startLocalRunFleet(options: LocalRunFleetOptions): Promise<RunFleet> {
  const executorIds = Array.from({ length: options.executors }, (_, i) => `executor-${i + 1}`);
  const { agents: credentials } = await createDevelopmentCredentials({
    agentIds: [RUN_COORDINATOR_ID, ...executorIds],
  });
  const start = (id: string, role: 'coordinator' | 'executor'): Promise<AgentNode> =>
    startAgentNode({ id, role, transport: options.transport, credentials: credentials[id]!, development: true });
  const nodes: AgentNode[] = [];
  const executors = new Map<string, { node: AgentNode; agent: FileExecutor }>();
  const close = async (): Promise<void> => {
    await Promise.allSettled([...executors.values()].map((e) => e.agent.close()));
    await Promise.allSettled(nodes.map((n) => n.close()));
  };
  try {
    const coordinator = await start(RUN_COORDINATOR_ID, 'coordinator');
    nodes.push(coordinator);
    for (const id of executorIds) {
      const node = await start(id, 'executor');
      nodes.push(node);
      executors.set(id, {
        node,
        agent: new FileExecutor({
          link: node.link,
          coordinatorId: RUN_COORDINATOR_ID,
          slots: options.slots,
          fileTimeoutMs: options.fileTimeoutMs,
        }),
      });
    }
    const directory = new Map<string, PeerEndpoint>(nodes.map((n) => [n.id, n.endpoint]));
    for (const node of nodes) node.link.setDirectory(directory);
    return {
      coordinator,
      executorIds,
      executors,
      kill: async (id) => {
        const executor = executors.get(id);
        if (executor === undefined) return;
        await executor.agent.close();
        await executor.node.close();
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
