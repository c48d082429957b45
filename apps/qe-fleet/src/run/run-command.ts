import path from 'node:path';
import type { CliIo } from '../cli/run-cli';
import type { ExecutionRow, HistoryStore } from './history/history-types';
import { mergedJunit } from './junit/merged-junit';
import { parseRunArgs, RUN_USAGE, type RunArgs } from './parse-run-args';
import { RunCoordinator } from './run-coordinator';
import { startLocalRunFleet } from './run-fleet-local';
import { startProcessRunFleet } from './run-fleet-processes';
import { createRunProgress } from './run-progress';
import { decideOutcome } from './run-outcome';
import { readKnownFailures, readQuarantine, writeAtomic } from './run-outputs';
import { freshSession, ledgerRow, openRunHistory, resumeSession, type RunSession } from './run-session';
import { formatRunSummary } from './run-summary';
import { executionRows, verdictsFromRows } from './verdicts';
import { verdictLog } from './history/verdict-log';
import { recordInterrupted } from './run-interrupted';
import { listenForInterrupt, type RunInterrupt } from './run-interrupt';
import { forecastFailures, forecastFromHistory, scoreForecast, type HistoryForecast } from './history-forecast';

/** `qe-fleet run`: runs a project's tests over the fleet; resolves with the exit code. */
export async function runProjectCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseRunArgs(argv);
  if (args.help) {
    io.out(RUN_USAGE);
    return 0;
  }
  const interrupt = listenForInterrupt((signal) =>
    io.err(`[qe-fleet] ${signal}: stopping the runners, keeping what was booked`),
  );
  try {
    const history = await openRunHistory(args);
    try {
      return await runProject(args, io, history, interrupt);
    } finally {
      await history?.close();
    }
  } finally {
    interrupt.dispose();
  }
}

/** Dispatches the session's unbooked tasks until all are booked; every booking is durable first. */
async function dispatch(
  args: RunArgs,
  session: RunSession,
  history: HistoryStore | undefined,
  log: (line: string) => void,
  interrupt?: AbortSignal,
): Promise<{ rows: ExecutionRow[]; record: ReturnType<RunCoordinator['record']> }> {
  const rows: ExecutionRow[] = [...session.priorRows];
  const context = { project: session.projectDir, commit: session.commit, runId: session.runId };
  const fleetOptions = {
    executors: args.executors,
    slots: args.slots,
    transport: args.transport,
    fileTimeoutMs: args.fileTimeoutS * 1000,
  };
  const fleet = await (args.mode === 'processes'
    ? startProcessRunFleet(fleetOptions)
    : startLocalRunFleet(fleetOptions));
  const coordinator = new RunCoordinator({
    link: fleet.coordinator.link,
    executors: fleet.executorIds,
    runId: session.runId,
    projectDir: session.projectDir,
    book: session.book,
    maxReruns: session.config.reruns,
    command: session.config.command,
    persist:
      history === undefined
        ? undefined
        : (task, execution, reruns) =>
            history.bookTask(
              session.runId,
              task.taskId,
              executionRows(task, execution, context),
              reruns.map((r) => ledgerRow(session.runId, r, execution.durationMs)),
            ),
  });
  const progress = createRunProgress({ mode: args.progress, line: log });
  coordinator.on('execution', (task, execution) => {
    rows.push(...executionRows(task, execution, context));
    const a = coordinator.record().accounting;
    progress.update(task, execution, a.completedOnce, a.tasks);
  });
  try {
    const deadline = AbortSignal.timeout(args.timeoutS * 1000);
    const record = await coordinator.run(interrupt === undefined ? deadline : AbortSignal.any([deadline, interrupt]));
    return { rows, record };
  } finally {
    progress.stop();
    // Stop booking, let bookings under way commit, then kill the runners: the store is never half-written.
    coordinator.close();
    await coordinator.settled();
    await fleet.close();
  }
}

/** The history's forecast of this run's first-attempt failures (none without a store or enough runs). */
async function forecastRun(
  history: HistoryStore | undefined,
  session: RunSession,
  log: (line: string) => void,
): Promise<HistoryForecast | undefined> {
  if (history === undefined) return undefined;
  const earlier = verdictLog(await history.listExecutions({ project: session.projectDir }));
  const forecast = await forecastFromHistory(
    earlier.filter((v) => v.run !== session.runId),
    Date.now(),
  );
  if (forecast !== undefined) {
    const likely = forecastFailures(forecast);
    log(
      `history forecast from ${forecast.runs} earlier runs: ${likely.length} test(s) likely to fail first time` +
        (likely.length === 0 ? '' : `: ${likely.slice(0, 5).join(', ')}${likely.length > 5 ? ', ...' : ''}`),
    );
  }
  return forecast;
}

export async function runProject(
  args: RunArgs,
  io: CliIo,
  history?: HistoryStore,
  interrupt?: RunInterrupt,
): Promise<number> {
  const startedAt = performance.now();
  const log = (line: string): void => io.err(`[qe-fleet] ${line}`);
  const command =
    args.command === undefined ? undefined : { command: args.command, junit: args.junit, files: args.files };
  const session =
    args.resume !== undefined
      ? await resumeSession(args.resume, history!)
      : await freshSession(args, history, command);
  const { projectDir, runId } = session;
  const quarantinePath = path.resolve(args.quarantine ?? path.join(projectDir, '.agentlink', 'quarantine.json'));
  const [previousQuarantine, knownFailures] = await Promise.all([
    readQuarantine(quarantinePath),
    args.knownFailures === undefined ? Promise.resolve(new Set<string>()) : readKnownFailures(args.knownFailures),
  ]);
  const pending = session.book.size - session.book.completed;
  const alone = session.book.serialPending;
  log(
    `${session.resumed ? 'resume' : 'run'} ${runId}: ${pending} of ${session.book.size} tasks to run ` +
      (alone === 0 ? '' : `(${alone} alone, --serial) `) +
      `(${session.config.runners.join(', ')}) ` +
      `on ${args.executors} executors (${args.mode}) over ${args.transport}; history ${history?.target ?? 'off'}`,
  );
  const forecast = await forecastRun(history, session, log);
  const { rows, record } = await dispatch(args, session, history, log, interrupt?.signal);
  const stoppedBy = interrupt?.received();
  if (stoppedBy !== undefined) return recordInterrupted({ args, io, history, runId, record, signal: stoppedBy, log });
  const verdicts = verdictsFromRows(rows);
  const outcome = decideOutcome(verdicts, { runId, previousQuarantine, knownFailures, strict: args.strict });
  const outDir = path.resolve(args.out ?? path.join(projectDir, '.agentlink', 'runs', runId));
  const junitPath = path.join(outDir, 'junit.xml');
  await writeAtomic(junitPath, mergedJunit(runId, verdicts, new Set(outcome.quarantine.tests.map((t) => t.id))));
  await writeAtomic(quarantinePath, `${JSON.stringify(outcome.quarantine, null, 2)}\n`);
  const lost = record.accounting.lost;
  const exitCode = lost > 0 ? 1 : outcome.exitCode;
  await history?.finishRun(runId, exitCode === 0 ? 'passed' : 'failed', exitCode, Date.now());
  const summary = {
    runId,
    projectDir,
    commit: session.commit,
    runners: session.config.runners,
    files: session.config.files,
    executors: args.executors,
    transport: args.transport,
    wallMs: performance.now() - startedAt,
    accounting: record.accounting,
    outcome: { ...outcome, exitCode: exitCode as 0 | 1 },
    strict: args.strict,
    ...(forecast === undefined
      ? {}
      : {
          forecast: {
            runs: forecast.runs,
            threshold: forecast.threshold,
            likelyFailures: forecastFailures(forecast),
            score: scoreForecast(forecast, verdictLog(rows)),
          },
        }),
    outputs: {
      junit: junitPath,
      quarantine: quarantinePath,
      summary: path.join(outDir, 'summary.json'),
      ...(history ? { history: history.target } : {}),
    },
  };
  await writeAtomic(summary.outputs.summary, `${JSON.stringify({ ...summary, verdicts }, null, 2)}\n`);
  io.out(args.json ? JSON.stringify({ ...summary, verdicts }, null, 2) : formatRunSummary(summary));
  if (lost > 0) log(`FAILED: ${lost} task(s) never completed before --timeout`);
  return exitCode;
}
