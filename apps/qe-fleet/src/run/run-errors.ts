import { AgentlinkError } from '@agentlink/resilience';

/** The project directory does not exist or has no package.json to read runners from. */
export class ProjectNotFoundError extends AgentlinkError {
  constructor(
    readonly projectDir: string,
    detail: string,
  ) {
    super('ERR_PROJECT_NOT_FOUND', `project ${projectDir}: ${detail}; pass --project DIR of a project`, {
      retryable: false,
    });
  }
}

/** No jest, vitest, mocha or node:test found in the project, and no --runner/--command given. */
export class NoTestRunnerError extends AgentlinkError {
  constructor(readonly projectDir: string) {
    super(
      'ERR_NO_TEST_RUNNER',
      `project ${projectDir}: no test runner found (jest, vitest, mocha or a "node --test" script in package.json); ` +
        'choose one with --runner, or use --command "... {file} ..." --junit PATH',
      { retryable: false },
    );
  }
}

/** The runner is named or detected but its package is not installed in the project. */
export class RunnerNotInstalledError extends AgentlinkError {
  constructor(
    readonly runner: string,
    readonly projectDir: string,
  ) {
    super(
      'ERR_RUNNER_NOT_INSTALLED',
      `runner ${runner} is not installed in ${projectDir} (node_modules); run npm ci there`,
      {
        retryable: false,
      },
    );
  }
}

/** A field of the project's qe-fleet settings (package.json "qe-fleet") has a bad value. */
export class ProjectConfigError extends AgentlinkError {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super('ERR_PROJECT_CONFIG', `${file}: "${field}" ${detail}`, { retryable: false });
  }
}

/** The runner found no test files in the project. */
export class NoTestFilesError extends AgentlinkError {
  constructor(
    readonly projectDir: string,
    readonly runners: readonly string[],
  ) {
    super(
      'ERR_NO_TEST_FILES',
      `project ${projectDir}: ${runners.join(', ')} found no test files; check the runner's configuration or --files`,
      {
        retryable: false,
      },
    );
  }
}

/** The runner ended without writing JUnit XML (crashed, killed, or a bad command). */
export class RunnerCrashedError extends AgentlinkError {
  constructor(
    readonly file: string,
    readonly exit: string,
    readonly output: string,
  ) {
    super(
      'ERR_RUNNER_CRASHED',
      `runner crashed on ${file} (${exit}) without writing JUnit XML; output tail: ${output.slice(-400)}`,
      {
        retryable: true,
      },
    );
  }
}

/** The JUnit XML a runner wrote is not well-formed or has no test suites. */
export class MalformedJunitError extends AgentlinkError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super('ERR_MALFORMED_JUNIT', `JUnit XML ${path}: ${detail}`, { retryable: false });
  }
}

/** The history database cannot be opened or reached. */
export class HistoryUnavailableError extends AgentlinkError {
  constructor(
    readonly target: string,
    detail: string,
    cause?: unknown,
  ) {
    super('ERR_HISTORY_UNAVAILABLE', `history store ${target}: ${detail}`, { retryable: true, cause });
  }
}

/** --resume names a run the history store does not have. */
export class UnknownRunError extends AgentlinkError {
  constructor(
    readonly runId: string,
    readonly target: string,
  ) {
    super('ERR_UNKNOWN_RUN', `run ${runId} is not in the history store ${target}; list runs with qe-fleet history`, {
      retryable: false,
    });
  }
}

/** A result reached a coordinator that has stopped booking (its run finished or was interrupted). */
export class RunClosedError extends AgentlinkError {
  constructor(readonly runId: string) {
    super('ERR_RUN_CLOSED', `run ${runId} is no longer booking results (finished or interrupted)`, {
      retryable: false,
    });
  }
}
