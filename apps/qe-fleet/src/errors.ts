import { AgentlinkError } from '@agentlink/resilience';

/** A command-line flag or option value is invalid. */
export class InvalidFlagError extends AgentlinkError {
  constructor(
    readonly flag: string,
    detail: string,
  ) {
    super('ERR_INVALID_FLAG', `invalid value for ${flag}: ${detail}; run with --help for the list of flags`, { retryable: false });
  }
}

/** The production configuration file is missing, unreadable or does not match the schema. */
export class ConfigError extends AgentlinkError {
  constructor(
    readonly path: string,
    detail: string,
    cause?: unknown,
  ) {
    super('ERR_CONFIG', `configuration ${path}: ${detail}; see apps/qe-fleet/README.md "Configuration file"`, { retryable: false, cause });
  }
}

/** A configured agent was given development certificates without `"development": true` in its configuration. */
export class ProductionCertificatesRequiredError extends AgentlinkError {
  constructor(detail: string, cause?: unknown) {
    const remedy = 'use fleet-CA certificates (development ones only with "development": true, never in production)';
    super('ERR_PRODUCTION_CERTIFICATES_REQUIRED', `refusing to start: ${detail}; ${remedy}`, {
      retryable: false,
      cause,
    });
  }
}

/** The FlakeFlagger data could not be parsed or joined. */
export class SuiteDataError extends AgentlinkError {
  constructor(detail: string) {
    super('ERR_SUITE_DATA', `FlakeFlagger data: ${detail}; check packages/learning/data/flakeflagger/`, { retryable: false });
  }
}

/** A fleet message did not match the protocol (wrong shape or type). */
export class ProtocolMessageError extends AgentlinkError {
  constructor(
    readonly method: string,
    detail: string,
  ) {
    super('ERR_FLEET_MESSAGE', `message "${method}" rejected: ${detail}`, { retryable: false });
  }
}

/** The peer is not in this agent's directory, so it cannot be dialled. */
export class UnknownPeerError extends AgentlinkError {
  constructor(readonly peerId: string) {
    super('ERR_UNKNOWN_PEER', `no address known for peer "${peerId}"; add it to the peers list of the configuration`, { retryable: false });
  }
}

/** The run did not finish before its deadline. */
export class RunTimeoutError extends AgentlinkError {
  constructor(readonly timeoutMs: number, detail: string) {
    super('ERR_RUN_TIMEOUT', `the fleet run did not finish within ${timeoutMs} ms (${detail}); raise --timeout or lower --suite-size`, { retryable: true });
  }
}

/** An agent process failed to start or exited before it was ready. */
export class AgentStartError extends AgentlinkError {
  constructor(readonly agentId: string, detail: string, cause?: unknown) {
    super('ERR_AGENT_START', `agent ${agentId} did not start: ${detail}`, { retryable: false, cause });
  }
}
