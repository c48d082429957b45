import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { TlsCredentials } from '@agentlink/transport';
import type { CliIo } from '../cli/run-cli';
import { InvalidFlagError } from '../errors';
import { startAgentNode } from '../fleet/agent-node';
import type { TransportChoice } from '../messaging/create-transport';
import type { PeerEndpoint } from '../messaging/fleet-link';
import { FileExecutor } from './file-executor';

/** What the coordinator writes (mode 0600) for each executor process it starts. */
export interface ExecutorSpec {
  readonly id: string;
  readonly coordinatorId: string;
  readonly transport: TransportChoice;
  readonly credentials: TlsCredentials;
  /** The credentials come from a development CA the run generated. */
  readonly development: boolean;
  readonly slots: number;
  readonly fileTimeoutMs?: number;
  readonly host?: string;
  readonly projectDir?: string;
}

/**
 * `qe-fleet run-executor --spec FILE`: one file executor in its own process. Prints
 * `{"event":"ready","endpoint":…}` on stdout, then takes `{"directory":{id: endpoint}}` lines on
 * stdin; stops on SIGTERM or when stdin closes (its coordinator went away).
 */
export async function executorProcessCommand(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] !== '--spec' || argv[1] === undefined)
    throw new InvalidFlagError('--spec', 'run-executor needs --spec FILE');
  const spec = JSON.parse(await readFile(argv[1], 'utf8')) as ExecutorSpec;
  const node = await startAgentNode({
    id: spec.id,
    role: 'executor',
    transport: spec.transport,
    credentials: spec.credentials,
    development: spec.development,
    host: spec.host,
  });
  const agent = new FileExecutor({
    link: node.link,
    coordinatorId: spec.coordinatorId,
    slots: spec.slots,
    fileTimeoutMs: spec.fileTimeoutMs,
    projectDir: spec.projectDir,
    // This process leads its own group (the coordinator signals it whole): runners stay in it.
    runnerGroups: false,
  });
  io.out(JSON.stringify({ event: 'ready', id: spec.id, endpoint: node.endpoint }));
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { directory?: Record<string, PeerEndpoint> };
      if (message.directory !== undefined) node.link.setDirectory(new Map(Object.entries(message.directory)));
    });
    lines.once('close', resolve);
    process.once('SIGTERM', resolve);
  });
  lines.close();
  await agent.close();
  await node.close();
  return 0;
}
