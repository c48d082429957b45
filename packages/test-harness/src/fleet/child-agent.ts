import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DeadlineExceededError } from '@agentlink/resilience';
import { AgentExitedError, AgentReadyTimeoutError, AgentStartError } from '../errors';
import type { ExitInfo, FleetAgent } from './types';

const MAX_LINES = 1000;

/** How to run one child agent. */
export interface ChildAgentOptions {
  readonly id: string;
  readonly command: string;
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly host: string;
  readonly namespace?: string;
  readonly readyTimeoutMs: number;
  readonly onLine?: (agentId: string, stream: 'stdout' | 'stderr', line: string) => void;
}

interface LineWaiter {
  readonly predicate: (line: string) => boolean;
  readonly resolve: (line: string) => void;
}

function parseReady(line: string): unknown {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { event?: unknown };
    return parsed !== null && parsed.event === 'ready' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** An agent running as a child process; ready once it prints a JSON line `{"event":"ready",...}`. */
export class ChildAgent implements FleetAgent {
  readonly id: string;
  readonly host: string;
  readonly namespace: string | undefined;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  ready: unknown = undefined;
  exit: ExitInfo | undefined = undefined;
  private readonly child: ChildProcess;
  private readonly exited: Promise<ExitInfo>;
  private waiters = new Set<LineWaiter>();

  private constructor(private readonly options: ChildAgentOptions) {
    this.id = options.id;
    this.host = options.host;
    this.namespace = options.namespace;
    this.child = spawn(options.command, [...options.argv], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.stderr.push(`spawn failed: ${err.message}`);
        this.exit ??= { code: null, signal: null };
        resolve(this.exit);
      });
      // 'close' comes after stdout and stderr are drained, so every line has been seen.
      this.child.once('close', (code, signal) => {
        this.exit ??= { code, signal };
        resolve(this.exit);
      });
    });
    this.capture('stdout');
    this.capture('stderr');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Spawns the agent and resolves once it is ready; kills it and rejects otherwise. */
  static async start(options: ChildAgentOptions): Promise<ChildAgent> {
    const agent = new ChildAgent(options);
    let timer: NodeJS.Timeout | undefined;
    const [readyLine] = agent.lineWaiter((line) => parseReady(line) !== undefined);
    const outcome = await Promise.race([
      readyLine.then((line) => ({ kind: 'ready' as const, line })),
      agent.exited.then((exit) => ({ kind: 'exited' as const, exit })),
      new Promise<{ kind: 'timeout' }>((resolve) => {
        timer = setTimeout(() => resolve({ kind: 'timeout' }), options.readyTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome.kind === 'ready') {
      agent.ready = parseReady(outcome.line);
      return agent;
    }
    agent.waiters.clear();
    if (outcome.kind === 'timeout') {
      await agent.kill('SIGKILL');
      throw new AgentReadyTimeoutError(options.id, options.readyTimeoutMs);
    }
    const how = outcome.exit.signal === null ? `code ${String(outcome.exit.code)}` : `signal ${outcome.exit.signal}`;
    const stderr = agent.stderr.slice(-5).join(' | ') || '(empty)';
    throw new AgentStartError(options.id, `exited (${how}) before it printed {"event":"ready"}; stderr: ${stderr}`);
  }

  waitForLine(predicate: (line: string) => boolean, timeoutMs: number): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const [line, cancel] = this.lineWaiter(predicate);
    return Promise.race([
      line,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new DeadlineExceededError(timeoutMs)), timeoutMs);
      }),
      // 'close' saw every line: a child gone without the line never prints it. Stop waiting, and
      // release the timer (a long deadline kept a finished test process alive for minutes).
      this.exited.then((exit) => {
        throw new AgentExitedError(this.id, exit);
      }),
    ]).finally(() => {
      clearTimeout(timer);
      cancel();
    });
  }

  /** Sends `signal` and resolves when the child has exited. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitInfo> {
    if (this.exit === undefined) this.child.kill(signal);
    return this.exited;
  }

  /** Resolves when the child has exited; rejects with DeadlineExceededError after timeoutMs. */
  waitForExit(timeoutMs?: number): Promise<ExitInfo> {
    if (timeoutMs === undefined) return this.exited;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.exited,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new DeadlineExceededError(timeoutMs)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** SIGTERM, then SIGKILL if still running after graceMs. */
  async stop(graceMs: number): Promise<ExitInfo> {
    if (this.exit !== undefined) return this.exit;
    this.child.kill('SIGTERM');
    try {
      return await this.waitForExit(graceMs);
    } catch {
      return this.kill('SIGKILL');
    }
  }

  /** A promise of the first matching stdout line, and a function that stops waiting. */
  private lineWaiter(predicate: (line: string) => boolean): [Promise<string>, () => void] {
    const seen = this.stdout.find(predicate);
    if (seen !== undefined) return [Promise.resolve(seen), () => undefined];
    let waiter: LineWaiter | undefined;
    const line = new Promise<string>((resolve) => {
      waiter = {
        predicate,
        resolve: (matched) => {
          this.waiters.delete(waiter!);
          resolve(matched);
        },
      };
      this.waiters.add(waiter);
    });
    return [line, () => this.waiters.delete(waiter!)];
  }

  private capture(stream: 'stdout' | 'stderr'): void {
    const lines = createInterface({ input: this.child[stream]!, crlfDelay: Infinity });
    lines.on('line', (line) => {
      const buffer = this[stream];
      buffer.push(line);
      if (buffer.length > MAX_LINES) buffer.shift();
      this.options.onLine?.(this.id, stream, line);
      if (stream === 'stdout')
        for (const waiter of [...this.waiters]) if (waiter.predicate(line)) waiter.resolve(line);
    });
  }
}
