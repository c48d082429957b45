import path from 'node:path';
import { InvalidOptionsError, UnknownAgentError, UnsupportedInModeError } from '../errors';
import { ChildAgent } from './child-agent';
import { InProcessAgent } from './in-process-agent';
import { NamespaceNetwork } from './network-namespaces';
import type { AgentSpec, ExitInfo, Fleet, FleetAgent, FleetOptions } from './types';

const MODES = new Set(['in-process', 'processes', 'namespaces']);

function validate(options: FleetOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError('launchFleet options must be an object');
  if (!MODES.has(options.mode))
    throw new InvalidOptionsError(
      `mode must be 'in-process', 'processes' or 'namespaces', got ${String(options.mode)}`,
    );
  if (!Array.isArray(options.agents) || options.agents.length === 0)
    throw new InvalidOptionsError('agents must be a non-empty array');
  const ids = new Set<string>();
  for (const agent of options.agents) {
    if (typeof agent?.id !== 'string' || agent.id === '')
      throw new InvalidOptionsError('every agent needs a non-empty string id');
    if (ids.has(agent.id)) throw new InvalidOptionsError(`agent id "${agent.id}" is used twice`);
    ids.add(agent.id);
    if (typeof agent.entry !== 'string' || agent.entry === '')
      throw new InvalidOptionsError(`agent "${agent.id}" needs an entry module path`);
  }
  for (const key of ['readyTimeoutMs', 'stopTimeoutMs'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      throw new InvalidOptionsError(`${key} must be a positive number of ms`);
  }
}

function childEnv(spec: AgentSpec, host: string, hosts: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...spec.env,
    AGENTLINK_AGENT_ID: spec.id,
    AGENTLINK_AGENT_HOST: host,
    AGENTLINK_FLEET_HOSTS: JSON.stringify(hosts),
  };
}

/**
 * Launches a fleet of agents, in this process, as child processes, or as child processes in
 * their own network namespaces (root and iproute2 needed). Resolves when every agent is ready;
 * if one fails, everything already started is stopped and torn down before the error is thrown.
 * Children learn their identity from AGENTLINK_AGENT_ID, AGENTLINK_AGENT_HOST and
 * AGENTLINK_FLEET_HOSTS (JSON id → address).
 */
export async function launchFleet(options: FleetOptions): Promise<Fleet> {
  validate(options);
  const { mode } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
  const network =
    mode === 'namespaces' ? await NamespaceNetwork.create(options.agents.length, options.subnet) : undefined;
  const hosts: Record<string, string> = {};
  options.agents.forEach((spec, i) => (hosts[spec.id] = network?.addresses[i] ?? '127.0.0.1'));

  const started = options.agents.map(async (spec, i): Promise<ChildAgent | InProcessAgent> => {
    const args = spec.args ?? [];
    if (mode === 'in-process') {
      return InProcessAgent.start(spec.entry, { agentId: spec.id, args, env: { ...spec.env }, hosts }, readyTimeoutMs);
    }
    const nodeArgv = [...(options.nodeArgs ?? []), path.resolve(spec.entry), ...args];
    const namespace = network?.namespaces[i];
    return ChildAgent.start({
      id: spec.id,
      command: namespace === undefined ? process.execPath : 'ip',
      argv: namespace === undefined ? nodeArgv : ['netns', 'exec', namespace, process.execPath, ...nodeArgv],
      env: childEnv(spec, hosts[spec.id], hosts),
      host: hosts[spec.id],
      namespace,
      readyTimeoutMs,
      onLine: options.onLine,
    });
  });
  const outcomes = await Promise.allSettled(started);
  const agents = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const byId = new Map<string, ChildAgent | InProcessAgent>(agents.map((a) => [a.id, a]));

  const stopAgent = async (agent: ChildAgent | InProcessAgent): Promise<void> => {
    if (agent instanceof InProcessAgent) await agent.stop();
    else await agent.stop(stopTimeoutMs);
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const stops = await Promise.allSettled(agents.map(stopAgent));
      await network?.destroy();
      const failed = stops.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    })());

  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure !== undefined) {
    await close().catch(() => undefined);
    throw failure.reason;
  }

  const lookup = (id: string): ChildAgent | InProcessAgent => {
    const agent = byId.get(id);
    if (agent === undefined) throw new UnknownAgentError(id);
    return agent;
  };
  const child = (id: string, operation: string): ChildAgent => {
    const agent = lookup(id);
    if (agent instanceof InProcessAgent) throw new UnsupportedInModeError(operation, mode);
    return agent;
  };
  const ordered: FleetAgent[] = options.agents.map((spec) => lookup(spec.id));

  return {
    mode,
    agents: ordered,
    agent: lookup,
    kill: async (id, signal = 'SIGTERM'): Promise<ExitInfo> => child(id, 'kill()').kill(signal),
    waitForExit: async (id, timeoutMs): Promise<ExitInfo> => child(id, 'waitForExit()').waitForExit(timeoutMs),
    stop: async (id) => stopAgent(lookup(id)),
    close,
  };
}
