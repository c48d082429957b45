import type { PeerRefusal } from '../agents/peer-refusals';
import type { RunRecord } from '../agents/run-record';
import type { Accounting } from '../ledger/task-ledger';
import type { PredictionAnswer } from '../messaging/protocol';
import { LatencyHistogram, type LatencySummary } from './latency-histogram';
import { comparePredictions, type PredictionQuality } from './prediction-quality';

/** The end-of-run summary every run prints. */
export interface FleetSummary {
  readonly agents: number;
  readonly transport: string;
  readonly durationMs: number;
  readonly accounting: Accounting;
  readonly tests: {
    readonly passed: number;
    /** Tests whose first run failed. */
    readonly failedFirstRun: number;
    /** Tests still failing after any reruns: real failures. */
    readonly failed: number;
    readonly reruns: number;
    /** Failing tests judged flaky whose rerun passed: quarantined. */
    readonly quarantined: number;
    /** Of the quarantined, how many FlakeFlagger labels flaky. */
    readonly quarantinedTrulyFlaky: number;
  };
  /**
   * The model's predictions for the suite's tests against FlakeFlagger's labels. Fallback answers
   * (deadline or model failure) are not the model's: they are left out of the ratios and counted
   * apart in `fallbacks`.
   */
  readonly prediction: PredictionQuality & { readonly fallbacks: number };
  readonly taskLatency: LatencySummary;
  readonly predictionLatency: LatencySummary;
  readonly retries: { readonly redispatches: number; readonly assignFailures: number; readonly resultRetries: number };
  readonly breakers: { readonly trips: number; readonly recoveries: number; readonly trippedPeers: readonly string[] };
  /** Executors refused at the TLS layer (their certificate), with code and reason. */
  readonly refusedPeers: readonly PeerRefusal[];
}

export interface SummaryInput {
  readonly run: RunRecord;
  readonly agents: number;
  readonly transport: string;
  /** Ground truth by test id (the task's test). */
  readonly truth: ReadonlyMap<string, boolean>;
  /** Task id → test id. */
  readonly testOfTask: ReadonlyMap<string, string>;
  /** Predictions for the suite's tests, by test id. */
  readonly predictions: readonly PredictionAnswer[];
  /** Result deliveries executors had to retry. */
  readonly resultRetries: number;
}

/** Derives the summary from the coordinator's record and the analyser's predictions. */
export function buildSummary(input: SummaryInput): FleetSummary {
  const { run } = input;
  let passed = 0;
  let failedFirstRun = 0;
  let failed = 0;
  let reruns = 0;
  let quarantined = 0;
  let quarantinedTrulyFlaky = 0;
  for (const [taskId, result] of Object.entries(run.results)) {
    if (result.firstRunFailed) failedFirstRun += 1;
    reruns += result.attempts - 1;
    if (result.outcome === 'passed') passed += 1;
    else if (result.outcome === 'failed') failed += 1;
    else {
      quarantined += 1;
      if (input.truth.get(input.testOfTask.get(taskId) ?? '') === true) quarantinedTrulyFlaky += 1;
    }
  }
  const predicted = new Map(input.predictions.filter((p) => !p.fallback).map((p) => [p.testId, p.flaky] as const));
  const predictionLatency = new LatencyHistogram();
  for (const p of input.predictions) predictionLatency.record(p.latencyMs);
  const taskLatency = new LatencyHistogram();
  taskLatency.addEncoded(run.taskLatency);
  const opened = run.breakerTransitions.filter((t) => t.to === 'open');
  return {
    agents: input.agents,
    transport: input.transport,
    durationMs: run.durationMs,
    accounting: run.accounting,
    tests: { passed, failedFirstRun, failed, reruns, quarantined, quarantinedTrulyFlaky },
    prediction: {
      ...comparePredictions(predicted, input.truth),
      fallbacks: input.predictions.filter((p) => p.fallback).length,
    },
    taskLatency: taskLatency.summary(),
    predictionLatency: predictionLatency.summary(),
    retries: {
      redispatches: run.redispatches,
      assignFailures: run.assignFailures,
      resultRetries: input.resultRetries,
    },
    breakers: {
      trips: opened.length,
      recoveries: run.breakerTransitions.filter((t) => t.from !== 'closed' && t.to === 'closed').length,
      trippedPeers: [...new Set(opened.map((t) => t.peer))].sort(),
    },
    refusedPeers: run.peerRefusals ?? [],
  };
}

/** True when the accounting proves nothing was lost or invented. */
export function accountingHolds(accounting: Accounting): boolean {
  return accounting.lost === 0 && accounting.phantom === 0 && accounting.completedOnce === accounting.tasks;
}
