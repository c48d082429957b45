import cliProgress from 'cli-progress';
import type { ProgressMode } from './parse-run-args';
import type { FileExecution, FileTask } from './types';

/** Progress of a run on the terminal: tasks done/total, failures, flaky so far, ETA. */
export interface RunProgress {
  update(task: FileTask, execution: FileExecution, done: number, total: number): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly mode: ProgressMode;
  /** Plain lines go here (the CLI's stderr). */
  readonly line: (text: string) => void;
  /** The terminal for the bar. Default process.stderr. */
  readonly stream?: NodeJS.WriteStream;
  readonly now?: () => number;
}

function eta(startedAt: number, now: number, done: number, total: number): string {
  if (done === 0) return '?';
  const seconds = (((now - startedAt) / done) * (total - done)) / 1000;
  return `${Math.max(0, Math.round(seconds))} s`;
}

/** A bar on a TTY (cli-progress), one line per booked task otherwise, or nothing. */
export function createRunProgress(options: ProgressOptions): RunProgress {
  const stream = options.stream ?? process.stderr;
  const mode = options.mode === 'auto' ? (stream.isTTY === true ? 'bar' : 'lines') : options.mode;
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  let failures = 0;
  let flaky = 0;
  const count = (task: FileTask, execution: FileExecution): string => {
    const failed = execution.error !== undefined ? 1 : execution.cases.filter((c) => c.outcome === 'failed').length;
    if (task.attempt === 1) failures += failed;
    // A rerun that passes: its test failed before, so it is flaky.
    else if (failed === 0 && execution.error === undefined) flaky += 1;
    return failed > 0 ? `${failed} failed` : 'ok';
  };
  if (mode === 'none') return { update: (task, execution) => void count(task, execution), stop: () => undefined };
  if (mode === 'lines') {
    return {
      update: (task, execution, done, total) => {
        const result = count(task, execution);
        const what =
          task.testName === undefined ? task.file : `${task.file} > ${task.testName} (rerun ${task.attempt - 1})`;
        options.line(
          `${done}/${total} ${what} on ${execution.executor}: ${result}; ` +
            `failures ${failures}, flaky ${flaky}, ETA ${eta(startedAt, now(), done, total)}`,
        );
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'tests [{bar}] {value}/{total} tasks | failures {failures} | flaky {flaky} | ETA {etaText}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0, { failures: 0, flaky: 0, etaText: '?' });
  return {
    update: (task, execution, done, total) => {
      count(task, execution);
      bar.setTotal(total);
      bar.update(done, { failures, flaky, etaText: eta(startedAt, now(), done, total) });
    },
    stop: () => bar.stop(),
  };
}
