import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AgentReadyTimeoutError, AgentStartError, UnsupportedInModeError } from '../errors';
import type { AgentHandle, AgentStartConfig, ExitInfo, FleetAgent } from './types';

function isHandle(value: unknown): value is AgentHandle {
  return typeof value === 'object' && value !== null && typeof (value as AgentHandle).stop === 'function';
}

/** An agent whose module runs in this process: `start(config)` returns `{ stop() }`. */
export class InProcessAgent implements FleetAgent {
  readonly pid = undefined;
  readonly namespace = undefined;
  readonly stdout: readonly string[] = [];
  readonly stderr: readonly string[] = [];
  readonly exit: ExitInfo | undefined = undefined;
  private stopped = false;

  private constructor(
    readonly id: string,
    readonly host: string,
    private readonly handle: AgentHandle,
  ) {}

  get ready(): unknown {
    return this.handle;
  }

  /** Imports `entry` and calls its start(config); rejects if that fails or takes longer than timeoutMs. */
  static async start(entry: string, config: AgentStartConfig, timeoutMs: number): Promise<InProcessAgent> {
    const id = config.agentId;
    let mod: { start?: unknown };
    try {
      mod = (await import(pathToFileURL(path.resolve(entry)).href)) as { start?: unknown };
    } catch (err) {
      throw new AgentStartError(id, `could not import ${entry}`, err);
    }
    if (typeof mod.start !== 'function')
      throw new AgentStartError(id, `${entry} does not export a start(config) function`);
    let timer: NodeJS.Timeout | undefined;
    let handle: unknown;
    try {
      handle = await Promise.race([
        Promise.resolve((mod.start as (c: AgentStartConfig) => unknown)(config)),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new AgentReadyTimeoutError(id, timeoutMs)), timeoutMs);
        }),
      ]);
    } catch (err) {
      if (err instanceof AgentReadyTimeoutError) throw err;
      throw new AgentStartError(id, `start() threw: ${err instanceof Error ? err.message : String(err)}`, err);
    } finally {
      clearTimeout(timer);
    }
    if (!isHandle(handle))
      throw new AgentStartError(id, 'start() must return (or resolve to) an object with a stop() method');
    return new InProcessAgent(id, config.hosts[id], handle);
  }

  waitForLine(): Promise<string> {
    return Promise.reject(new UnsupportedInModeError('waitForLine()', 'in-process'));
  }

  /** Calls the agent's stop() once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.handle.stop();
  }
}
