import { AgentlinkError } from '@agentlink/resilience';

export { InvalidOptionsError } from '@agentlink/resilience';

/** A fault proxy could not bind its listening socket (port in use, bad host). */
export class ProxyListenError extends AgentlinkError {
  constructor(
    readonly host: string,
    readonly port: number,
    cause: unknown,
  ) {
    super('ERR_PROXY_LISTEN', `fault proxy could not listen on ${host}:${port}; pick a free port or port 0`, {
      retryable: false,
      cause,
    });
  }
}

/** A method was called on a fault proxy after close(). Create a new proxy. */
export class ProxyClosedError extends AgentlinkError {
  constructor(operation: string) {
    super('ERR_PROXY_CLOSED', `fault proxy is closed; ${operation} is not possible, create a new proxy`, {
      retryable: false,
    });
  }
}

/** The leak checker needs `global.gc`. Run node with --expose-gc. */
export class GcUnavailableError extends AgentlinkError {
  constructor() {
    super(
      'ERR_GC_UNAVAILABLE',
      'global.gc is not available; run node with --expose-gc ' +
        '(for jest: node --expose-gc --experimental-vm-modules jest)',
      { retryable: false },
    );
  }
}

/** One thing that grew between two leak snapshots beyond its tolerance. */
export interface LeakFinding {
  /** `heap` or the resource type from process.getActiveResourcesInfo(), e.g. `TCPSocketWrap`. */
  readonly resource: string;
  readonly before: number;
  readonly after: number;
  readonly allowedGrowth: number;
}

/** Heap or active handles grew beyond the tolerance between two snapshots. */
export class LeakDetectedError extends AgentlinkError {
  constructor(readonly findings: readonly LeakFinding[]) {
    super(
      'ERR_LEAK_DETECTED',
      `leak detected: ${findings
        .map((f) => `${f.resource} grew from ${f.before} to ${f.after} (allowed +${f.allowedGrowth})`)
        .join('; ')}; release every socket, timer and listener on close`,
      { retryable: false },
    );
  }
}

/** An agent of a fleet failed to start, or exited before it reported ready. */
export class AgentStartError extends AgentlinkError {
  constructor(
    readonly agentId: string,
    detail: string,
    cause?: unknown,
  ) {
    super('ERR_AGENT_START', `agent "${agentId}" failed to start: ${detail}`, { retryable: false, cause });
  }
}

/** An agent exited before it printed the line someone was waiting for (see FleetAgent.waitForLine). */
export class AgentExitedError extends AgentlinkError {
  constructor(
    readonly agentId: string,
    readonly exit: { readonly code: number | null; readonly signal: string | null },
  ) {
    const how = exit.signal === null ? `code ${String(exit.code)}` : `signal ${exit.signal}`;
    super('ERR_AGENT_EXITED', `agent "${agentId}" exited (${how}) before printing the line waited for`, {
      retryable: false,
    });
  }
}

/** An agent did not report ready (a JSON line `{"event":"ready"}` on stdout) before its deadline. */
export class AgentReadyTimeoutError extends AgentlinkError {
  constructor(
    readonly agentId: string,
    readonly timeoutMs: number,
  ) {
    super(
      'ERR_AGENT_READY_TIMEOUT',
      `agent "${agentId}" did not print {"event":"ready"} within ${timeoutMs} ms; ` +
        'check its stderr or raise readyTimeoutMs',
      { retryable: true },
    );
  }
}

/** A fleet method named an agent id the fleet does not have. */
export class UnknownAgentError extends AgentlinkError {
  constructor(readonly agentId: string) {
    super('ERR_UNKNOWN_AGENT', `no agent "${agentId}" in this fleet; use one of the ids passed to launchFleet`, {
      retryable: false,
    });
  }
}

/** The requested operation is not supported by the fleet's mode (e.g. kill() in-process). */
export class UnsupportedInModeError extends AgentlinkError {
  constructor(operation: string, mode: string) {
    super(
      'ERR_UNSUPPORTED_IN_MODE',
      `${operation} is not supported in "${mode}" mode; use mode "processes" or "namespaces"`,
      {
        retryable: false,
      },
    );
  }
}

/** Network namespaces cannot be used here (not root, or the `ip` tool is missing). */
export class NamespacesUnavailableError extends AgentlinkError {
  constructor(readonly reason: string) {
    super('ERR_NAMESPACES_UNAVAILABLE', `network namespaces are unavailable: ${reason}`, { retryable: false });
  }
}

/** An `ip` command failed while building or tearing down the namespace network. */
export class NamespaceCommandError extends AgentlinkError {
  constructor(
    readonly command: readonly string[],
    readonly stderr: string,
    cause?: unknown,
  ) {
    super('ERR_NAMESPACE_COMMAND', `"ip ${command.join(' ')}" failed: ${stderr.trim() || 'no output'}`, {
      retryable: false,
      cause,
    });
  }
}

/** The certificate functions of @agentlink/transport failed or are missing. */
export class PkiError extends AgentlinkError {
  constructor(detail: string, cause?: unknown) {
    super('ERR_TEST_PKI', `test PKI: ${detail}`, { retryable: false, cause });
  }
}
