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
  agent(id: string): { readonly pid: number | undefined; waitForLine(predicate: (line: string) => boolean, timeoutMs: number): Promise<string> };
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

/** A multi-process fleet while it runs. */
export interface RunningProcessFleet {
  readonly plan: FleetPlan;
  readonly fleet: HarnessFleet;
  readonly placements: readonly AgentPlacement[];
}

export interface ProcessFleetDependencies {
  readonly log?: (line: string) => void;
  readonly onRunning?: (running: RunningProcessFleet) => void | Promise<void>;
  readonly entry?: AgentEntry;
  readonly start?: string;
}

export interface ProcessFleetResult {
  readonly summary: FleetSummary;
  /** The coordinator's exit code: 0 when every task completed exactly once. */
  readonly exitCode: number;
}

/**
 * Runs the fleet as one process per agent (or one per network namespace, as separate hosts)
 * with the test harness's fleet launcher. Each child is `qe-fleet --config <its file>`: the
 * production code path, with a development CA generated for the run.
 */
export async function runProcessFleet(options: FleetOptions, dependencies: ProcessFleetDependencies = {}): Promise<ProcessFleetResult> {
  const log = dependencies.log ?? (() => undefined);
  const mode = options.mode === 'namespaces' ? 'namespaces' : 'processes';
  if (options.fault !== undefined) throw new InvalidFlagError('--fault', `the fault proxy runs in --mode in-process only, not ${mode}`);
  const plan = planFleet(options.agents);
  const dataDir = path.resolve(resolveDataDir(options.dataDir, dependencies.start ?? path.dirname(fileURLToPath(import.meta.url))));
  const entry = dependencies.entry ?? resolveAgentEntry();
  const { launchFleet } = await loadTestHarness<{ launchFleet: LaunchFleet }>('--mode');
  const dir = await mkdtemp(path.join(tmpdir(), 'qe-fleet-'));
  let fleet: HarnessFleet | undefined;
  try {
    const placements = await placeAgents(plan, mode);
    const files = await writeFleetConfigs(dir, plan, placements, options, dataDir);
    const timeout = String(options.timeoutS);
    fleet = await launchFleet({
      mode,
      agents: plan.agents.map((a) => ({ id: a.id, entry: entry.file, args: ['--config', files.get(a.id)!, '--json', '--timeout', timeout] })),
      nodeArgs: entry.nodeArgs,
      readyTimeoutMs: 120_000,
      onLine: (id, stream, line) => {
        if (stream === 'stderr') log(`${id}: ${line}`);
      },
    });
    log(`fleet: ${plan.agents.length} agents as ${mode} over ${options.transport} (${placements.map((p) => `${p.id}@${p.host}:${p.udpPort}`).join(', ')})`);
    await dependencies.onRunning?.({ plan, fleet, placements });
    const coordinator = fleet.agent(plan.coordinatorId);
    const line = await coordinator.waitForLine((l) => l.includes('"event":"summary"'), (options.timeoutS + 90) * 1000).catch((error: unknown) => {
      throw new RunTimeoutError(options.timeoutS * 1000, `no summary from the coordinator: ${(error as Error).message}`);
    });
    const exit = await fleet.waitForExit(plan.coordinatorId, 30_000);
    if (exit.code === null) throw new AgentStartError(plan.coordinatorId, `ended by ${exit.signal}`);
    return { summary: (JSON.parse(line) as { summary: FleetSummary }).summary, exitCode: exit.code };
  } finally {
    await fleet?.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
