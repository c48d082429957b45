import type { CliIo } from '../cli/run-cli';
import type { HistoryStore } from './history/history-types';
import type { RunArgs } from './parse-run-args';
import type { RunCoordinatorRecord } from './run-coordinator';
import { INTERRUPT_EXIT_CODES, type InterruptSignal } from './run-interrupt';

export interface InterruptedRun {
  readonly args: RunArgs;
  readonly io: CliIo;
  readonly history: HistoryStore | undefined;
  readonly runId: string;
  readonly record: RunCoordinatorRecord;
  readonly signal: InterruptSignal;
  readonly log: (line: string) => void;
}

/**
 * Ends a run a signal stopped: its bookings are in the store already (each one transaction), so
 * only the run's status is written. No JUnit XML or quarantine from a partial run; `--resume`
 * finishes it and writes them. Resolves with 130 (SIGINT) or 143 (SIGTERM).
 */
export async function recordInterrupted(run: InterruptedRun): Promise<number> {
  const exitCode = INTERRUPT_EXIT_CODES[run.signal];
  const { completedOnce, tasks } = run.record.accounting;
  await run.history?.finishRun(run.runId, 'interrupted', exitCode, Date.now());
  const resume =
    run.history === undefined ? undefined : `qe-fleet run --resume ${run.runId} --history ${run.history.target}`;
  run.log(
    `interrupted by ${run.signal}: ${completedOnce} of ${tasks} tasks booked` +
      (resume === undefined ? ' (--no-history: nothing to resume)' : `; resume with ${resume}`),
  );
  if (run.args.json) {
    const summary = { runId: run.runId, status: 'interrupted', signal: run.signal, exitCode, resume };
    run.io.out(JSON.stringify({ ...summary, accounting: run.record.accounting }, null, 2));
  }
  return exitCode;
}
