import type { Accounting } from '../ledger/task-ledger';
import type { PredictionAnswer, TaskOutcome } from '../messaging/protocol';
import type { PeerRefusal } from './peer-refusals';

/** The booked result of one task. */
export interface TaskResultRecord {
  readonly outcome: TaskOutcome;
  readonly attempts: number;
  readonly firstRunFailed: boolean;
  readonly executor: string;
  readonly prediction?: PredictionAnswer;
}

/** One breaker transition seen by the coordinator. */
export interface BreakerTransition {
  readonly peer: string;
  readonly from: string;
  readonly to: string;
  readonly atMs: number;
}

/** Everything the coordinator knows at the end of a run; the reporter turns it into the summary. */
export interface RunRecord {
  readonly accounting: Accounting;
  readonly results: Readonly<Record<string, TaskResultRecord>>;
  /** Task latency (dispatch to booked result) as an encoded HDR histogram, in ms. */
  readonly taskLatency: string;
  /** Re-dispatches of tasks whose dispatch was abandoned. */
  readonly redispatches: number;
  /** Assignment requests that failed (and were retried on another executor). */
  readonly assignFailures: number;
  /** Assignments an executor refused because it was full (re-queued, not a failure). */
  readonly refusals: number;
  readonly breakerTransitions: readonly BreakerTransition[];
  /** Executors refused at the TLS layer (certificate), each with the code and reason. */
  readonly peerRefusals: readonly PeerRefusal[];
  readonly durationMs: number;
}
