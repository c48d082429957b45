import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AgentlinkError } from '@agentlink/resilience';
import { parseJunit } from './junit/parse-junit';
import { MalformedJunitError, RunnerCrashedError } from './run-errors';
import { runRunnerProcess } from './runner-process';
import type { FileExecution, FileTask, RunnerAdapter, TestCaseResult } from './types';

export interface ExecuteFileOptions {
  readonly projectDir: string;
  readonly adapter: RunnerAdapter;
  readonly executor: string;
  /** Run id, passed to the runner as AGENTLINK_RUN_ID. */
  readonly runId: string;
  /** Kill the runner after this long, in ms. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** Stops the runner and everything in its process group (see runRunnerProcess). */
  readonly signal?: AbortSignal;
  /** Each runner in a process group of its own (default true; see RunnerProcessOptions.ownGroup). */
  readonly ownGroup?: boolean;
}

/** Only the case a rerun asked for (the runner reports the filtered-out ones as skipped). */
function selectCases(cases: readonly TestCaseResult[], task: FileTask): TestCaseResult[] {
  return task.testName === undefined ? [...cases] : cases.filter((c) => c.name === task.testName);
}

/**
 * Runs one task (a file, or one case of it) with the project's runner and reads the outcome from
 * the JUnit XML it writes, never from its console. A crash or unreadable XML becomes `error`.
 */
export async function executeFile(task: FileTask, options: ExecuteFileOptions): Promise<FileExecution> {
  const startedAt = performance.now();
  const scratch = await mkdtemp(path.join(tmpdir(), 'qe-fleet-junit-'));
  try {
    const given = path.join(scratch, 'junit.xml');
    const invocation = options.adapter.invocation(options.projectDir, task.file, given, task.testName);
    const junitPath = invocation.junitPath ?? given;
    if (invocation.junitPath !== undefined) await rm(invocation.junitPath, { force: true });
    const env = {
      ...process.env,
      ...invocation.env,
      AGENTLINK_RUN_ID: options.runId,
      AGENTLINK_ATTEMPT: String(task.attempt),
      CI: 'true',
    };
    const exit = await runRunnerProcess(invocation.argv, {
      env,
      cwd: invocation.cwd ?? options.projectDir,
      shell: invocation.shell === true,
      timeoutMs: options.timeoutMs ?? 600_000,
      signal: options.signal,
      ownGroup: options.ownGroup,
    });
    options.signal?.throwIfAborted();
    const durationMs = performance.now() - startedAt;
    const base = { taskId: task.taskId, executor: options.executor, durationMs };
    let xml: string;
    try {
      xml = await readFile(junitPath, 'utf8');
    } catch {
      const how = exit.spawnError ?? (exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code}`);
      return { ...base, cases: [], error: toError(new RunnerCrashedError(task.file, how, exit.tail)) };
    }
    try {
      const cases = selectCases(parseJunit(xml, junitPath), task);
      if (cases.length === 0 && exit.code !== 0) {
        return {
          ...base,
          cases,
          error: toError(new RunnerCrashedError(task.file, `exit code ${exit.code}, no test cases`, exit.tail)),
        };
      }
      return { ...base, cases };
    } catch (error) {
      return {
        ...base,
        cases: [],
        error: toError(
          error instanceof MalformedJunitError ? error : new MalformedJunitError(junitPath, String(error)),
        ),
      };
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function toError(error: AgentlinkError): { code: string; message: string } {
  return { code: error.code, message: error.message };
}
