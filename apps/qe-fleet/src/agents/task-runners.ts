import { spawn } from 'node:child_process';
import { sleep } from '@agentlink/resilience';
import type { TaskSpec } from '../messaging/protocol';
import { replayDurationMs, replayFails } from '../suite/replay';

/** One execution of a task. */
export interface Execution {
  readonly failed: boolean;
  readonly durationMs: number;
  readonly detail?: string;
}

/** Runs one execution of a task; `attempt` is 1 for the first run, 2+ for reruns. */
export type TaskRunner = (spec: TaskSpec, taskId: string, attempt: number, signal: AbortSignal) => Promise<Execution>;

const OUTPUT_TAIL_BYTES = 2_048;

/** Replays a FlakeFlagger test: waits its scaled recorded time, fails at its recorded rate. */
export async function runReplay(
  spec: Extract<TaskSpec, { kind: 'replay' }>,
  taskId: string,
  attempt: number,
  signal: AbortSignal,
): Promise<Execution> {
  const durationMs = replayDurationMs(spec.test, spec.timing);
  await sleep(durationMs, signal);
  return { failed: replayFails(spec.test, spec.seed, taskId, attempt), durationMs };
}

/** Runs a real command (e.g. one jest file); exit code 0 passes. */
export function runCommand(spec: Extract<TaskSpec, { kind: 'command' }>, signal: AbortSignal): Promise<Execution> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const [file, ...args] = spec.test.command;
    let tail = '';
    const keep = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
    };
    const child = spawn(file!, args, {
      cwd: spec.test.cwd,
      signal,
      timeout: spec.timeoutMs,
      killSignal: 'SIGKILL',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const finish = (failed: boolean, detail?: string): void => {
      resolve({ failed, durationMs: performance.now() - startedAt, detail: failed ? (detail ?? tail) : undefined });
    };
    child.once('error', (error) => finish(true, `could not run ${file}: ${error.message}`));
    child.once('close', (code, killedBy) =>
      finish(code !== 0, killedBy === null ? tail : `killed by ${killedBy} (timeout ${spec.timeoutMs} ms)\n${tail}`),
    );
  });
}

/** Dispatches to the runner of the task's kind. */
export const runTask: TaskRunner = (spec, taskId, attempt, signal) =>
  spec.kind === 'replay' ? runReplay(spec, taskId, attempt, signal) : runCommand(spec, signal);
