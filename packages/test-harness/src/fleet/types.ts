/** How agents run: all in this process, one child process each, or one child per network namespace. */
export type FleetMode = 'in-process' | 'processes' | 'namespaces';

/** One agent to launch. */
export interface AgentSpec {
  /** Unique id; also AGENTLINK_AGENT_ID in the agent's environment. */
  readonly id: string;
  /** Path of the agent's module (absolute, or relative to the current directory). */
  readonly entry: string;
  /** Command-line arguments (processes) or `config.args` (in-process). Default []. */
  readonly args?: readonly string[];
  /** Extra environment variables (processes) or `config.env` (in-process). Default {}. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What an in-process agent's `start(config)` receives. */
export interface AgentStartConfig {
  readonly agentId: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Address of every agent of the fleet by id (127.0.0.1 unless in namespaces). */
  readonly hosts: Readonly<Record<string, string>>;
}

/** What an in-process agent's `start(config)` returns (or resolves to). */
export interface AgentHandle {
  stop(): void | Promise<void>;
}

/** How a child agent ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Options of launchFleet(). */
export interface FleetOptions {
  readonly agents: readonly AgentSpec[];
  readonly mode: FleetMode;
  /** Deadline for each child to print a `{"event":"ready"}` JSON line on stdout, in ms. Default 15000. */
  readonly readyTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL in stop()/close(), in ms. Default 5000. */
  readonly stopTimeoutMs?: number;
  /** Node options placed before the entry of every child, e.g. ['--import', 'tsx']. Default []. */
  readonly nodeArgs?: readonly string[];
  /**
   * Namespaces mode: first three octets of the /24 that exists only inside the fleet's namespaces.
   * Default '10.213.0'.
   */
  readonly subnet?: string;
  /** Called for every line an agent prints (children only). */
  readonly onLine?: (agentId: string, stream: 'stdout' | 'stderr', line: string) => void;
}

/** A running agent. */
export interface FleetAgent {
  readonly id: string;
  /** The agent's address as other agents reach it. */
  readonly host: string;
  /** Process id (children only). */
  readonly pid: number | undefined;
  /** Network namespace name (namespaces mode only). */
  readonly namespace: string | undefined;
  /** The parsed ready line (children) or the handle returned by start() (in-process). */
  readonly ready: unknown;
  /** The last lines printed (children only; at most 1000 per stream). */
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  /** How the child ended, once it has. */
  readonly exit: ExitInfo | undefined;
  /**
   * Resolves with the first stdout line (already printed or future) matching `predicate`; rejects
   * with DeadlineExceededError after `timeoutMs`, or AgentExitedError as soon as the child is gone
   * without printing it.
   */
  waitForLine(predicate: (line: string) => boolean, timeoutMs: number): Promise<string>;
}

/** A launched fleet. */
export interface Fleet {
  readonly mode: FleetMode;
  readonly agents: readonly FleetAgent[];
  /** The agent with this id; throws UnknownAgentError. */
  agent(id: string): FleetAgent;
  /** Sends a signal (default SIGTERM) and resolves when the child has exited. Children only. */
  kill(id: string, signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** Resolves when the child has exited; rejects with ERR_DEADLINE_EXCEEDED after timeoutMs. Children only. */
  waitForExit(id: string, timeoutMs?: number): Promise<ExitInfo>;
  /** Stops one agent gracefully (in-process: stop(); children: SIGTERM then SIGKILL after stopTimeoutMs). */
  stop(id: string): Promise<void>;
  /** Stops every agent and removes every namespace, even after failures. Idempotent. */
  close(): Promise<void>;
}
