import { ProtocolMessageError } from '../errors';
import type { ReplayTiming } from '../suite/replay';
import type { CommandTest, SuiteTest } from '../suite/types';

/** Method names of the fleet protocol. */
export const METHODS = {
  ping: 'fleet.ping',
  assign: 'task.assign',
  result: 'task.result',
  predict: 'flakiness.predict',
  predictBatch: 'flakiness.predictBatch',
  report: 'report.submit',
} as const;

/** What an executor is asked to run. */
export type TaskSpec =
  | { readonly kind: 'replay'; readonly test: SuiteTest; readonly timing: ReplayTiming; readonly seed: number }
  | { readonly kind: 'command'; readonly test: CommandTest; readonly timeoutMs: number };

export interface AssignMessage {
  readonly dispatchId: string;
  readonly taskId: string;
  readonly spec: TaskSpec;
}

export interface AssignAnswer {
  readonly accepted: boolean;
}

/** The analyser's answer for one test. */
export interface PredictionAnswer {
  readonly testId: string;
  /** Model probability that the test is flaky, 0..1. */
  readonly probability: number;
  readonly flaky: boolean;
  /** True when the model missed its deadline or failed and a fallback answered. */
  readonly fallback: boolean;
  readonly latencyMs: number;
}

/** How a task ended on the executor. */
export type TaskOutcome = 'passed' | 'failed' | 'flaky';

export interface ResultMessage {
  readonly dispatchId: string;
  readonly taskId: string;
  readonly executor: string;
  readonly outcome: TaskOutcome;
  /** Executions, first run included. */
  readonly attempts: number;
  /** Whether the first execution failed. */
  readonly firstRunFailed: boolean;
  /** The analyser's judgement, asked after a failure; absent when it passed or the analyser was unreachable. */
  readonly prediction?: PredictionAnswer;
  /** Time spent executing, in ms. */
  readonly durationMs: number;
  /** Output tail of a failing command (command mode). */
  readonly detail?: string;
}

export interface PredictRequest {
  readonly testId: string;
  readonly features: Readonly<Record<string, number>>;
}

function fail(method: string, detail: string): never {
  throw new ProtocolMessageError(method, detail);
}

function record(method: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(method, 'body must be a JSON object');
  return value as Record<string, unknown>;
}

function text(method: string, body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) fail(method, `"${field}" must be a non-empty string`);
  return value;
}

/** Validates a task.assign body. */
export function parseAssign(value: unknown): AssignMessage {
  const body = record(METHODS.assign, value);
  text(METHODS.assign, body, 'dispatchId');
  text(METHODS.assign, body, 'taskId');
  const spec = record(METHODS.assign, body.spec);
  if (spec.kind !== 'replay' && spec.kind !== 'command') {
    fail(METHODS.assign, 'spec.kind must be "replay" or "command"');
  }
  record(METHODS.assign, spec.test);
  return body as unknown as AssignMessage;
}

/** Validates a task.result body. */
export function parseResult(value: unknown): ResultMessage {
  const body = record(METHODS.result, value);
  text(METHODS.result, body, 'dispatchId');
  text(METHODS.result, body, 'taskId');
  text(METHODS.result, body, 'executor');
  if (!['passed', 'failed', 'flaky'].includes(body.outcome as string)) {
    fail(METHODS.result, 'outcome must be passed, failed or flaky');
  }
  if (!Number.isInteger(body.attempts) || (body.attempts as number) < 1) {
    fail(METHODS.result, 'attempts must be a positive integer');
  }
  return body as unknown as ResultMessage;
}

/** Validates a flakiness.predict body. */
export function parsePredict(value: unknown): PredictRequest {
  const body = record(METHODS.predict, value);
  text(METHODS.predict, body, 'testId');
  const features = record(METHODS.predict, body.features);
  for (const [name, v] of Object.entries(features)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      fail(METHODS.predict, `feature "${name}" must be a finite number`);
    }
  }
  return body as unknown as PredictRequest;
}

/** Validates a flakiness.predictBatch body. */
export function parsePredictBatch(value: unknown): PredictRequest[] {
  const body = record(METHODS.predictBatch, value);
  if (!Array.isArray(body.tests)) fail(METHODS.predictBatch, '"tests" must be an array');
  return body.tests.map((t) => parsePredict(t));
}
