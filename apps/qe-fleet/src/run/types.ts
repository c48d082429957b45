/** The runners qe-fleet drives, plus any command that writes JUnit XML. */
export type RunnerName = 'jest' | 'vitest' | 'node-test' | 'mocha' | 'command';

/** How a test case ended in one execution. */
export type CaseOutcome = 'passed' | 'failed' | 'skipped';

/** One test case read from a runner's JUnit XML. */
export interface TestCaseResult {
  /** The runner's own name of the case (what its name filter matches). */
  readonly name: string;
  readonly outcome: CaseOutcome;
  readonly durationMs: number;
  /** First line of the failure message (failed cases only). */
  readonly message?: string;
}

/** A unit of work: one test file, or one test case of it (reruns). */
export interface FileTask {
  readonly taskId: string;
  readonly runner: RunnerName;
  /** Path relative to the project directory, with forward slashes. */
  readonly file: string;
  /** Rerun of a single case (through the runner's filter); absent: the whole file. */
  readonly testName?: string;
  /** 1 for the first run, 2+ for reruns. */
  readonly attempt: number;
  /** Runs alone: nothing else runs on the fleet while it does (timing-bound files; see serial-files.ts). */
  readonly serial?: boolean;
}

/** What the executor reports for one task. */
export interface FileExecution {
  readonly taskId: string;
  readonly executor: string;
  readonly durationMs: number;
  readonly cases: readonly TestCaseResult[];
  /** Set when the runner crashed or its XML was malformed: a typed error's code and message. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** A command that runs one file (or one case) and where it writes JUnit XML. */
export interface RunnerInvocation {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Working directory; default the project directory (a monorepo's package for jest). */
  readonly cwd?: string;
  /** Run through the shell (generic --command only). */
  readonly shell?: boolean;
  /** Where the command writes its JUnit XML when it cannot be told (generic --junit); default the given path. */
  readonly junitPath?: string;
}

/** A runner: finds the project's test files and builds the command for one of them. */
export interface RunnerAdapter {
  readonly name: RunnerName;
  /** Test files relative to the project directory, sorted. */
  discover(projectDir: string): Promise<string[]>;
  invocation(projectDir: string, file: string, junitPath: string, testName?: string): RunnerInvocation;
}
