import { ProtocolMessageError } from '../errors';
import type { CommandAdapterOptions } from './adapters/command-adapter';
import type { FileExecution, FileTask } from './types';

/** Methods of the test-run protocol (beside the fleet's `fleet.ping`). */
export const RUN_METHODS = {
  assign: 'run.assign',
  result: 'run.result',
} as const;

/** The coordinator asks an executor to run one file (or one case of it). */
export interface RunAssignMessage {
  readonly dispatchId: string;
  readonly runId: string;
  /** The project directory as the coordinator sees it (an executor may map it to its own copy). */
  readonly projectDir: string;
  readonly task: FileTask;
  /** Generic command mode. */
  readonly command?: CommandAdapterOptions;
}

export interface RunResultMessage {
  readonly dispatchId: string;
  readonly execution: FileExecution;
}

const RUNNERS = ['jest', 'vitest', 'node-test', 'mocha', 'command'];

function object(method: string, value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ProtocolMessageError(method, `${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function string(method: string, body: Record<string, unknown>, field: string): void {
  if (typeof body[field] !== 'string' || (body[field] as string).length === 0)
    throw new ProtocolMessageError(method, `"${field}" must be a non-empty string`);
}

/** Validates a run.assign body. */
export function parseRunAssign(value: unknown): RunAssignMessage {
  const body = object(RUN_METHODS.assign, value, 'body');
  for (const field of ['dispatchId', 'runId', 'projectDir']) string(RUN_METHODS.assign, body, field);
  const task = object(RUN_METHODS.assign, body.task, 'task');
  for (const field of ['taskId', 'file']) string(RUN_METHODS.assign, task, field);
  if (!RUNNERS.includes(task.runner as string))
    throw new ProtocolMessageError(RUN_METHODS.assign, `task.runner must be one of ${RUNNERS.join(', ')}`);
  if (!Number.isInteger(task.attempt) || (task.attempt as number) < 1)
    throw new ProtocolMessageError(RUN_METHODS.assign, 'task.attempt must be a positive integer');
  return body as unknown as RunAssignMessage;
}

/** Validates a run.result body. */
export function parseRunResult(value: unknown): RunResultMessage {
  const body = object(RUN_METHODS.result, value, 'body');
  string(RUN_METHODS.result, body, 'dispatchId');
  const execution = object(RUN_METHODS.result, body.execution, 'execution');
  string(RUN_METHODS.result, execution, 'taskId');
  string(RUN_METHODS.result, execution, 'executor');
  if (!Array.isArray(execution.cases))
    throw new ProtocolMessageError(RUN_METHODS.result, 'execution.cases must be an array');
  return body as unknown as RunResultMessage;
}
