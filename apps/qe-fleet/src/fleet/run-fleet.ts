import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDevelopmentCredentials, type TlsCredentials } from '@agentlink/transport';
import { CoordinatorAgent } from '../agents/coordinator-agent';
import type { ReportSubmission } from '../agents/reporter-agent';
import { refusalLine } from '../agents/peer-refusals';
import type { RunRecord } from '../agents/run-record';
import { METHODS } from '../messaging/protocol';
import type { PeerEndpoint } from '../messaging/fleet-link';
import type { FlakinessPredictor } from '../model/flakiness-predictor';
import { accountingHolds, type FleetSummary } from '../report/fleet-summary';
import type { SuiteTest } from '../suite/types';
import { defineCoordinatorMetrics } from '../telemetry/fleet-metrics';
import { startAgentNode, type AgentNode } from './agent-node';
import { loadFaultProxyFactories, proxyEndpoint, type FleetFaultProxy } from './fault-proxies';
import type { FleetOptions } from './fleet-options';
import { planFleet, type FleetPlan } from './fleet-plan';
import { launchInProcess, type AgentLauncher, type LaunchedAgent } from './launcher';
import { prepareRun } from './prepare-run';

/** A fleet while it runs: what tests and the CLI may look at or break. */
export interface RunningFleet {
  readonly plan: FleetPlan;
  readonly coordinator: CoordinatorAgent;
  readonly coordinatorNode: AgentNode;
  readonly agents: ReadonlyMap<string, LaunchedAgent>;
  /** Fault proxies between the coordinator and each executor (empty without --fault). */
  readonly proxies: ReadonlyMap<string, readonly FleetFaultProxy[]>;
}

export interface RunFleetDependencies {
  /** Builds the analyser's model from the training set (tests not in the suite). */
  readonly createPredictor: (trainingSet: readonly SuiteTest[]) => Promise<FlakinessPredictor>;
  /** How non-coordinator agents are started. Default in this process. */
  readonly launcher?: AgentLauncher;
  /** Progress lines. Default: none. */
  readonly log?: (line: string) => void;
  /** Called once every agent runs and the suite is being dispatched. */
  readonly onRunning?: (fleet: RunningFleet) => void | Promise<void>;
  /** Always put fault proxies in front of executors (tests change faults at run time). */
  readonly forceProxies?: boolean;
  /** Credentials by agent id (fleet-CA certificates); default a development CA generated for the run. */
  readonly credentials?: Readonly<Record<string, TlsCredentials>>;
  /** Where to look for the repository and its data. Default: this module's directory. */
  readonly start?: string;
}

export interface FleetRunResult {
  readonly summary: FleetSummary;
  readonly record: RunRecord;
  /** 0 when every task completed exactly once and nothing was invented; 1 otherwise. */
  readonly exitCode: number;
  readonly metricsUrls: Readonly<Record<string, string>>;
}

/** Runs one fleet end to end: starts the agents, replays the suite, reports, and stops everything. */
export async function runFleet(options: FleetOptions, dependencies: RunFleetDependencies): Promise<FleetRunResult> {
  const log = dependencies.log ?? (() => undefined);
  const plan = planFleet(options.agents);
  const startedAt = performance.now();
  const prepared = await prepareRun(
    options,
    plan.executorIds.length,
    dependencies.start ?? path.dirname(fileURLToPath(import.meta.url)),
  );
  const trainingSet = `training set ${prepared.trainingSet.length} tests`;
  log(`suite: ${prepared.tasks.size} tasks (${options.suite}), ${trainingSet}, data ${prepared.dataDir}`);
  // Only a development CA generated here turns development mode on; given credentials must be real.
  const development = dependencies.credentials === undefined;
  const credentials =
    dependencies.credentials ??
    (await createDevelopmentCredentials({ agentIds: plan.agents.map((a) => a.id) })).agents;
  const launcher = dependencies.launcher ?? launchInProcess;
  const metricsPort = (index: number): number => (options.metricsBasePort === 0 ? 0 : options.metricsBasePort + index);
  const createPredictor = (): Promise<FlakinessPredictor> => dependencies.createPredictor(prepared.trainingSet);
  const context = { plan, options, credentials, development, prepared, metricsPort, createPredictor };

  const agents = new Map<string, LaunchedAgent>();
  const proxies = new Map<string, FleetFaultProxy[]>();
  let coordinatorNode: AgentNode | undefined;
  let coordinator: CoordinatorAgent | undefined;
  try {
    coordinatorNode = await startAgentNode({
      id: plan.coordinatorId,
      role: 'coordinator',
      transport: options.transport,
      credentials: credentials[plan.coordinatorId]!,
      development,
      metricsPort: metricsPort(0),
    });
    // Start the others in order, the analyser first (it trains), executors last.
    const launched = await Promise.all(plan.agents.slice(1).map((agent, i) => launcher(agent, i + 1, context)));
    for (const agent of launched) agents.set(agent.id, agent);
    const directory = new Map<string, PeerEndpoint>([
      [plan.coordinatorId, coordinatorNode.endpoint],
      ...launched.map((a) => [a.id, a.endpoint] as const),
    ]);
    const coordinatorView = new Map(directory);
    if (options.fault !== undefined || dependencies.forceProxies === true) {
      const factories = await loadFaultProxyFactories();
      const fault = options.fault ?? { lossRate: 0, latencyMs: 0, jitterMs: 0 };
      for (const [i, id] of plan.executorIds.entries()) {
        const proxied = await proxyEndpoint(factories, directory.get(id)!, options.transport, fault, options.seed + i);
        proxies.set(id, [...proxied.proxies]);
        coordinatorView.set(id, proxied.endpoint);
      }
    }
    coordinatorNode.link.setDirectory(coordinatorView);
    await Promise.all(launched.map((a) => a.setDirectory(directory)));
    const metricsEndpoints = [
      `${coordinatorNode.telemetry.url} (coordinator)`,
      ...launched.map((a) => `${a.metricsUrl} (${a.id})`),
    ].join(', ');
    const fleetShape = `${plan.agents.length} agents over ${options.transport}, ${options.mode}`;
    log(`fleet: ${fleetShape}; /metrics: ${metricsEndpoints}`);

    coordinator = new CoordinatorAgent({
      link: coordinatorNode.link,
      executors: plan.executorIds,
      tasks: prepared.tasks,
      leaseMs: Math.max(30_000, options.durationS * 1000),
    });
    coordinatorNode.telemetry.observeBreakers(coordinator.breakers);
    coordinator.on('peerRefused', (r) => log(refusalLine(r)));
    const active = coordinator;
    defineCoordinatorMetrics(coordinatorNode.telemetry.metrics, () => active.ledger.accounting());
    const deadline = AbortSignal.timeout(options.timeoutS * 1000);
    const running = coordinator.run(deadline);
    await dependencies.onRunning?.({ plan, coordinator, coordinatorNode, agents, proxies });
    const record = await running;
    const seconds = (record.durationMs / 1000).toFixed(1);
    log(`run: ${record.accounting.completedOnce}/${record.accounting.tasks} tasks in ${seconds} s`);
    const submission: ReportSubmission = {
      run: record,
      agents: plan.agents.length,
      transport: options.transport,
      executors: plan.executorIds,
      tests: prepared.reportTests,
    };
    const summary = await coordinatorNode.link.request<FleetSummary>(plan.reporterId, METHODS.report, submission, {
      timeoutMs: 60_000,
    });
    log(`total: ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    const metricsUrls = Object.fromEntries([
      [plan.coordinatorId, coordinatorNode.telemetry.url],
      ...launched.map((a) => [a.id, a.metricsUrl]),
    ]);
    return { summary, record, exitCode: accountingHolds(record.accounting) ? 0 : 1, metricsUrls };
  } finally {
    coordinator?.close();
    await Promise.allSettled([...agents.values()].map((a) => a.close()));
    await coordinatorNode?.close();
    await Promise.allSettled([...proxies.values()].flat().map((p) => p.close()));
  }
}
