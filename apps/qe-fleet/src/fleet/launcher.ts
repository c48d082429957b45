import type { TlsCredentials } from '@agentlink/transport';
import type { PeerEndpoint } from '../messaging/fleet-link';
import type { FlakinessPredictor } from '../model/flakiness-predictor';
import type { AgentRole } from './agent-node';
import { startAgentNode } from './agent-node';
import { attachRole, evaluationSet } from './attach-role';
import type { FleetOptions } from './fleet-options';
import type { FleetPlan, PlannedAgent } from './fleet-plan';
import type { PreparedRun } from './prepare-run';

/** An agent the fleet runner started (in this process or as a child process). */
export interface LaunchedAgent {
  readonly id: string;
  readonly role: AgentRole;
  readonly endpoint: PeerEndpoint;
  readonly metricsUrl: string;
  /** Process id when the agent runs in its own process. */
  readonly pid?: number;
  setDirectory(directory: ReadonlyMap<string, PeerEndpoint>): Promise<void>;
  /** Ends the agent abruptly (SIGKILL for a process; force close in-process). */
  kill(): Promise<void>;
  close(): Promise<void>;
}

export interface LaunchContext {
  readonly plan: FleetPlan;
  readonly options: FleetOptions;
  readonly credentials: Readonly<Record<string, TlsCredentials>>;
  /** The credentials are development certificates the run generated (transports accept them). */
  readonly development: boolean;
  readonly prepared: PreparedRun;
  /** /metrics port of the agent at this index (0 = any). */
  readonly metricsPort: (index: number) => number;
  /** Builds the analyser's model (in-process launcher). */
  readonly createPredictor: () => Promise<FlakinessPredictor>;
}

export type AgentLauncher = (agent: PlannedAgent, index: number, context: LaunchContext) => Promise<LaunchedAgent>;

/** Starts an agent inside this process, with its own transport, socket and /metrics server. */
export const launchInProcess: AgentLauncher = async (agent, index, context) => {
  const predictor = agent.role === 'analyser' ? await context.createPredictor() : undefined;
  const node = await startAgentNode({
    id: agent.id,
    role: agent.role,
    transport: context.options.transport,
    credentials: context.credentials[agent.id]!,
    development: context.development,
    metricsPort: context.metricsPort(index),
  });
  const role = attachRole(node, context.plan, predictor, evaluationSet(context.prepared.reportTests));
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await role.close();
    await node.close();
  };
  return {
    id: agent.id,
    role: agent.role,
    endpoint: node.endpoint,
    metricsUrl: node.telemetry.url,
    setDirectory: async (directory) => node.link.setDirectory(directory),
    kill: close,
    close,
  };
};
