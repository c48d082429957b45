import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { ConfigReadError } from '../errors';
import { startAgentNode } from '../fleet/agent-node';
import { attachRole, evaluationSet } from '../fleet/attach-role';
import { DEFAULT_FLEET_OPTIONS, type FleetOptions } from '../fleet/fleet-options';
import type { FleetPlan } from '../fleet/fleet-plan';
import { prepareRun } from '../fleet/prepare-run';
import type { PeerEndpoint } from '../messaging/fleet-link';
import { createLearningPredictor } from '../model/learning-predictor';
import { parseConfig, type FleetConfig } from './fleet-config';
import { coordinateRounds } from './coordinate-rounds';
import { startCredentialReloader } from './credential-reloader';
import { loadCredentials } from './load-credentials';

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** The fleet plan a configuration describes (this agent plus its peers). */
export function planFromConfig(config: FleetConfig): FleetPlan {
  const all = [config.agent, ...config.peers.map((p) => ({ id: p.id, role: p.role }))];
  const first = (role: string): string => all.find((a) => a.role === role)?.id ?? '';
  return {
    coordinatorId: first('coordinator'),
    analyserId: first('analyser'),
    reporterId: first('reporter'),
    executorIds: all.filter((a) => a.role === 'executor').map((a) => a.id),
    agents: all,
  };
}

function runOptions(config: FleetConfig, base: FleetOptions): FleetOptions {
  const s = config.suite ?? {};
  return {
    ...base,
    transport: config.transport,
    suiteSize: s.size ?? base.suiteSize,
    durationS: s.durationS ?? base.durationS,
    seed: s.seed ?? base.seed,
    dataDir: s.dataDir ?? base.dataDir,
    modelDir: s.modelDir ?? base.modelDir,
  };
}

function untilSignal(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** Reads and validates a configuration file. */
export async function readConfigFile(source: string): Promise<FleetConfig> {
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    throw new ConfigReadError(source, error);
  }
  return parseConfig(text, source);
}

/**
 * Runs the single agent a production configuration describes (one per process or pod). Prints a
 * JSON ready line on stdout once listening. The coordinator waits for its peers, runs the suite
 * `suite.rounds` times (0 = forever) and prints each summary; the others serve until SIGTERM.
 */
export async function runConfiguredAgent(flags: FleetOptions, io: Io, stop?: AbortSignal): Promise<number> {
  const source = flags.configPath!;
  const config = await readConfigFile(source);
  const credentials = await loadCredentials(config, source);
  const options = runOptions(config, { ...DEFAULT_FLEET_OPTIONS, ...flags });
  const plan = planFromConfig(config);
  const log = (line: string): void => io.err(`[${config.agent.id}] ${line}`);
  const needsSuite = config.agent.role === 'coordinator' || config.agent.role === 'analyser';
  const prepared = needsSuite
    ? await prepareRun(options, Math.max(1, plan.executorIds.length), path.dirname(fileURLToPath(import.meta.url)))
    : undefined;
  const predictor =
    config.agent.role === 'analyser'
      ? await createLearningPredictor(prepared!.trainingSet, { modelDir: options.modelDir, log })
      : undefined;
  const node = await startAgentNode({
    id: config.agent.id,
    role: config.agent.role,
    transport: config.transport,
    credentials,
    development: config.development === true,
    host: config.listen.host,
    port: config.listen.udpPort,
    tcpPort: config.listen.tcpPort,
    metricsHost: config.metrics.host,
    metricsPort: config.metrics.port,
  });
  const reloader = startCredentialReloader({
    load: () => loadCredentials(config, source),
    apply: (next) => node.updateCredentials(next),
    initial: credentials,
    intervalMs: (config.tls?.reloadIntervalS ?? 60) * 1000,
    log,
  });
  try {
    node.link.setDirectory(
      new Map<string, PeerEndpoint>(
        config.peers.map((p) => [
          p.id,
          {
            host: p.host,
            port: config.transport === 'tcp' ? (p.tcpPort ?? p.udpPort) : p.udpPort,
            tcpPort: p.tcpPort,
            serverName: p.serverName,
          },
        ]),
      ),
    );
    io.out(
      JSON.stringify({
        event: 'ready',
        agent: config.agent.id,
        role: config.agent.role,
        endpoint: node.endpoint,
        metrics: node.telemetry.url,
      }),
    );
    if (config.agent.role === 'coordinator') {
      return await coordinateRounds({ node, config, plan, prepared: prepared!, options, io, stop });
    }
    const role = attachRole(node, plan, predictor, evaluationSet(prepared?.reportTests ?? []));
    await untilSignal(stop);
    await role.close();
    return 0;
  } finally {
    reloader.close();
    await node.close();
  }
}
