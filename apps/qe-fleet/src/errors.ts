import { AgentlinkError } from '@agentlink/resilience';

/** A command-line flag or option value is invalid. */
export class InvalidFlagError extends AgentlinkError {
  constructor(
    readonly flag: string,
    detail: string,
  ) {
    super('ERR_INVALID_FLAG', `invalid value for ${flag}: ${detail}; run with --help for the list of flags`, {
      retryable: false,
    });
  }
}

/** How a configuration value is shown in an error: JSON, cut at 60 characters; "missing" when absent. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The production configuration file is unusable. `file` always; `field` (the key path, e.g.
 * `peers[2].udpPort`) and `value` when one entry is at fault. Subclasses carry stable codes.
 */
export class ConfigError extends AgentlinkError {
  readonly file: string;
  readonly field: string | undefined;
  readonly value: unknown;

  constructor(
    file: string,
    detail: string,
    cause?: unknown,
    where: { code?: string; field?: string; value?: unknown } = {},
  ) {
    super(
      where.code ?? 'ERR_CONFIG',
      `configuration ${file}: ${detail}; see apps/qe-fleet/README.md "Configuration file"`,
      { retryable: false, cause },
    );
    this.file = file;
    this.field = where.field;
    this.value = where.value;
  }

  /** The file (older name of `file`). */
  get path(): string {
    return this.file;
  }
}

/** The configuration file cannot be read. */
export class ConfigReadError extends ConfigError {
  constructor(file: string, cause: unknown) {
    super(file, `cannot be read (${(cause as { code?: string })?.code ?? String(cause)})`, cause, {
      code: 'ERR_CONFIG_READ',
    });
  }
}

/** The configuration file is not JSON. */
export class ConfigSyntaxError extends ConfigError {
  constructor(file: string, detail: string, cause?: unknown) {
    super(file, `is not JSON (${detail})`, cause, { code: 'ERR_CONFIG_SYNTAX' });
  }
}

/** A key the schema does not know (a typo such as `metric` for `metrics` would otherwise be ignored). */
export class ConfigUnknownKeyError extends ConfigError {
  constructor(file: string, field: string, value: unknown, known: readonly string[]) {
    super(file, `unknown key ${field} = ${showValue(value)} (known here: ${known.join(', ')})`, undefined, {
      code: 'ERR_CONFIG_UNKNOWN_KEY',
      field,
      value,
    });
  }
}

/** A value of the wrong type or out of range; names the field, the value and what is expected. */
export class ConfigValueError extends ConfigError {
  constructor(file: string, field: string, value: unknown, expected: string, cause?: unknown) {
    super(file, `${field} = ${showValue(value)}: ${expected}`, cause, { code: 'ERR_CONFIG_VALUE', field, value });
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
    super('ERR_SUITE_DATA', `FlakeFlagger data: ${detail}; check packages/learning/data/flakeflagger/`, {
      retryable: false,
    });
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
    super('ERR_UNKNOWN_PEER', `no address known for peer "${peerId}"; add it to the peers list of the configuration`, {
      retryable: false,
    });
  }
}

/** The run did not finish before its deadline. */
export class RunTimeoutError extends AgentlinkError {
  constructor(
    readonly timeoutMs: number,
    detail: string,
  ) {
    super(
      'ERR_RUN_TIMEOUT',
      `the fleet run did not finish within ${timeoutMs} ms (${detail}); raise --timeout or lower --suite-size`,
      { retryable: true },
    );
  }
}

/** An agent process failed to start or exited before it was ready. */
export class AgentStartError extends AgentlinkError {
  constructor(readonly agentId: string, detail: string, cause?: unknown) {
    super('ERR_AGENT_START', `agent ${agentId} did not start: ${detail}`, { retryable: false, cause });
  }
}

/** A listener's port is taken (EADDRINUSE): names the protocol, address and port. */
export class PortInUseError extends AgentlinkError {
  constructor(
    readonly protocol: 'udp' | 'tcp',
    readonly host: string,
    readonly port: number,
    readonly purpose: string,
    cause?: unknown,
  ) {
    super(
      'ERR_PORT_IN_USE',
      `${purpose} cannot listen on ${protocol.toUpperCase()} ${host}:${port}: the port is in use; ` +
        'stop the other process or choose another port',
      { retryable: false, cause },
    );
  }
}

/** No free port for a multi-process fleet's agents was found below the ephemeral range. */
export class NoFreePortError extends AgentlinkError {
  constructor(
    readonly protocol: 'udp' | 'tcp',
    readonly host: string,
    readonly below: number,
    readonly attempts: number,
  ) {
    super(
      'ERR_NO_FREE_PORT',
      `no free ${protocol.toUpperCase()} port below ${below} on ${host} after ${attempts} random attempts`,
      { retryable: true },
    );
  }
}
