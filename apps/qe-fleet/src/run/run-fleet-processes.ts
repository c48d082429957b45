import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createDevelopmentCredentials } from '@agentlink/transport';
import { AgentStartError } from '../errors';
import { startAgentNode, type AgentNode } from '../fleet/agent-node';
import { resolveAgentEntry } from '../fleet/agent-entry';
import type { PeerEndpoint } from '../messaging/fleet-link';
import type { ExecutorSpec } from './executor-process';
import { RUN_COORDINATOR_ID, type LocalRunFleetOptions, type RunFleet } from './run-fleet-local';

interface Child {
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
}

function waitForReady(child: ChildProcess, id: string, timeoutMs: number): Promise<PeerEndpoint> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new AgentStartError(id, `no ready line within ${timeoutMs} ms`)), timeoutMs);
    const fail = (): void =>
      reject(
        new AgentStartError(id, `exited before it was ready (code ${child.exitCode}, signal ${child.signalCode})`),
      );
    child.once('exit', fail);
    lines.on('line', (line) => {
      if (!line.includes('"event":"ready"')) return;
      clearTimeout(timer);
      child.off('exit', fail);
      lines.close();
      resolve((JSON.parse(line) as { endpoint: PeerEndpoint }).endpoint);
    });
  });
}

/**
 * The coordinator in this process and each executor in its own process (`qe-fleet run-executor`,
 * its own process group so a kill takes its runners too), over real sockets with a development CA.
 */
export async function startProcessRunFleet(options: LocalRunFleetOptions): Promise<RunFleet> {
  const executorIds = Array.from({ length: options.executors }, (_, i) => `executor-${i + 1}`);
  const { agents: credentials } = await createDevelopmentCredentials({
    agentIds: [RUN_COORDINATOR_ID, ...executorIds],
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'qe-fleet-executors-'));
  const children = new Map<string, Child>();
  let coordinator: AgentNode | undefined;
  const stop = async (id: string, signal: NodeJS.Signals): Promise<void> => {
    const child = children.get(id);
    if (child === undefined || child.process.exitCode !== null || child.process.signalCode !== null) return;
    try {
      process.kill(-child.process.pid!, signal);
    } catch {
      // Already gone.
    }
    await child.exited;
  };
  const close = async (): Promise<void> => {
    await Promise.allSettled(
      executorIds.map(async (id) => {
        const deadline = setTimeout(() => void stop(id, 'SIGKILL'), 10_000);
        await stop(id, 'SIGTERM');
        clearTimeout(deadline);
        // What its runners started and left behind (a process that ignored SIGTERM) is in its group still.
        const pid = children.get(id)?.process.pid;
        try {
          if (pid !== undefined) process.kill(-pid, 'SIGKILL');
        } catch {
          // The group is empty.
        }
      }),
    );
    await coordinator?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    coordinator = await startAgentNode({
      id: RUN_COORDINATOR_ID,
      role: 'coordinator',
      transport: options.transport,
      credentials: credentials[RUN_COORDINATOR_ID]!,
      development: true,
    });
    const entry = resolveAgentEntry();
    const endpoints = await Promise.all(
      executorIds.map(async (id) => {
        const spec: ExecutorSpec = {
          id,
          coordinatorId: RUN_COORDINATOR_ID,
          transport: options.transport,
          credentials: credentials[id]!,
          development: true,
          slots: options.slots,
          fileTimeoutMs: options.fileTimeoutMs,
        };
        const file = path.join(dir, `${id}.json`);
        await writeFile(file, JSON.stringify(spec), { mode: 0o600 });
        const child = spawn(process.execPath, [...entry.nodeArgs, entry.file, 'run-executor', '--spec', file], {
          detached: true,
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        children.set(id, { process: child, exited: new Promise((resolve) => child.once('exit', () => resolve())) });
        return [id, await waitForReady(child, id, 120_000)] as const;
      }),
    );
    const directory = new Map<string, PeerEndpoint>([[RUN_COORDINATOR_ID, coordinator.endpoint], ...endpoints]);
    coordinator.link.setDirectory(directory);
    const line = `${JSON.stringify({ directory: Object.fromEntries(directory) })}\n`;
    for (const child of children.values()) child.process.stdin!.write(line);
    const node = coordinator;
    return {
      coordinator: node,
      executorIds,
      executors: new Map(),
      pid: (id) => children.get(id)?.process.pid,
      kill: (id) => stop(id, 'SIGKILL'),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
