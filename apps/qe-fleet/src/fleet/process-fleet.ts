import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentStartError, InvalidFlagError, RunTimeoutError } from '../errors';
import type { FleetSummary } from '../report/fleet-summary';
import { resolveDataDir } from '../suite/suite-files';
import { resolveAgentEntry, type AgentEntry } from './agent-entry';
import { placeAgents, writeFleetConfigs, type AgentPlacement } from './configured-fleet';
import type { FleetOptions } from './fleet-options';
import { planFleet, type FleetPlan } from './fleet-plan';
import { loadTestHarness } from './load-test-harness';

/** The part of the test harness's launched fleet used here. */
export interface HarnessFleet {
  agent(id: string): {
    readonly pid: number | undefined;
    waitForLine(predicate: (line: string) => boolean, timeoutMs: number): Promise<string>;
  };
  kill(id: string, signal?: NodeJS.Signals): Promise<unknown>;
  waitForExit(id: string, timeoutMs?: number): Promise<{ code: number | null; signal: string | null }>;
  close(): Promise<void>;
}

type LaunchFleet = (options: {
  agents: Array<{ id: string; entry: string; args: string[] }>;
  mode: 'processes' | 'namespaces';
  nodeArgs: readonly string[];
  readyTimeoutMs: number;
  onLine?: (agentId: string, stream: 'stdout' | 'stderr', line: string) => void;
}) => Promise<HarnessFleet>;

/** Time the coordinator has after its --timeout to collect predictions and print the summary. */
const REPORT_GRACE_MS = 45_000;

function readyMetricsUrl(line: string): string | undefined {
  try {
    return (JSON.parse(line) as { metrics?: string }).metrics;
  } catch {
    return undefined;
  }
}

/** A multi-process fleet while it runs. */
export interface RunningProcessFleet {
  readonly plan: FleetPlan;
  readonly fleet: HarnessFleet;
  readonly placements: readonly AgentPlacement[];
  /** Each agent's /metrics URL, from its ready line (the port it bound, when --metrics-port is 0). */
  readonly metricsUrls: Readonly<Record<string, string>>;
}

export interface ProcessFleetDependencies {
  readonly log?: (line: string) => void;
  readonly onRunning?: (running: RunningProcessFleet) => void | Promise<void>;
  readonly entry?: AgentEntry;
  readonly start?: string;
}

export interface ProcessFleetResult {
  readonly summary: FleetSummary;
  /** Each agent's /metrics URL, from its ready line. */
  readonly metricsUrls: Readonly<Record<string, string>>;
  /** The coordinator's exit code: 0 when every task completed exactly once. */
  readonly exitCode: number;
}

/**
 * Runs the fleet as one process per agent (or one per network namespace, as separate hosts)
 * with the test harness's fleet launcher. Each child is `qe-fleet --config <its file>`: the
 * production code path, with a development CA generated for the run.
 */
export async function runProcessFleet(
  options: FleetOptions,
  dependencies: ProcessFleetDependencies = {},
): Promise<ProcessFleetResult> {
  const log = dependencies.log ?? (() => undefined);
  const mode = options.mode === 'namespaces' ? 'namespaces' : 'processes';
  if (options.fault !== undefined) {
    throw new InvalidFlagError('--fault', `the fault proxy runs in --mode in-process only, not ${mode}`);
  }
  const plan = planFleet(options.agents);
  const dataDir = path.resolve(
    resolveDataDir(options.dataDir, dependencies.start ?? path.dirname(fileURLToPath(import.meta.url))),
  );
  const entry = dependencies.entry ?? resolveAgentEntry();
  const { launchFleet } = await loadTestHarness<{ launchFleet: LaunchFleet }>('--mode');
  const dir = await mkdtemp(path.join(tmpdir(), 'qe-fleet-'));
  let fleet: HarnessFleet | undefined;
  try {
    const placements = await placeAgents(plan, mode, options.metricsBasePort);
    const files = await writeFleetConfigs(dir, plan, placements, options, dataDir);
    const timeout = String(options.timeoutS);
    const metricsUrls: Record<string, string> = {};
    fleet = await launchFleet({
      mode,
      agents: plan.agents.map((a) => ({
        id: a.id,
        entry: entry.file,
        args: ['--config', files.get(a.id)!, '--json', '--timeout', timeout],
      })),
      nodeArgs: entry.nodeArgs,
      readyTimeoutMs: 120_000,
      onLine: (id, stream, line) => {
        if (stream === 'stderr') log(`${id}: ${line}`);
        else if (line.includes('"event":"ready"')) metricsUrls[id] = readyMetricsUrl(line) ?? '';
      },
    });
    const port = (p: AgentPlacement): number => (options.transport === 'tcp' ? p.tcpPort : p.udpPort);
    const addresses = placements.map((p) => `${p.id}@${p.host}:${port(p)}`).join(', ');
    log(`fleet: ${plan.agents.length} agents as ${mode} over ${options.transport} (${addresses})`);
    log(`/metrics: ${plan.agents.map((a) => `${metricsUrls[a.id] ?? '?'} (${a.id})`).join(', ')}`);
    await dependencies.onRunning?.({ plan, fleet, placements, metricsUrls });
    const coordinator = fleet.agent(plan.coordinatorId);
    // The coordinator's deadline runs from its start (waiting for peers included); then it reports.
    // A coordinator that died prints no summary: stop waiting (after a moment for its last lines).
    const died = fleet.waitForExit(plan.coordinatorId).then(async (exit) => {
      await new Promise((resolve) => setTimeout(resolve, 2_000).unref());
      const how = exit.signal ?? `code ${String(exit.code)}`;
      throw new AgentStartError(plan.coordinatorId, `ended (${how}) without printing its summary`);
    });
    const deadlineMs = options.timeoutS * 1000 + REPORT_GRACE_MS;
    const isSummary = (l: string): boolean => l.includes('"event":"summary"');
    const summaryLine = coordinator.waitForLine(isSummary, deadlineMs).catch((error: unknown) => {
      // The wait ends with the coordinator (AgentExitedError): report that as `died` does.
      if ((error as { code?: string }).code === 'ERR_AGENT_EXITED') return died;
      const why = `no summary from the coordinator within --timeout plus ${REPORT_GRACE_MS / 1000} s to report`;
      throw new RunTimeoutError(options.timeoutS * 1000, `${why}: ${(error as Error).message}`);
    });
    const line = await Promise.race([summaryLine, died]);
    const exit = await fleet.waitForExit(plan.coordinatorId, 30_000);
    if (exit.code === null) throw new AgentStartError(plan.coordinatorId, `ended by ${exit.signal}`);
    return { summary: (JSON.parse(line) as { summary: FleetSummary }).summary, exitCode: exit.code, metricsUrls };
  } finally {
    await fleet?.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
