import path from 'node:path';
import type { CliIo } from '../cli/run-cli';
import { mergedJunit } from './junit/merged-junit';
import { parseRunArgs, RUN_USAGE, type RunArgs } from './parse-run-args';
import { decideOutcome } from './run-outcome';
import { readKnownFailures, readQuarantine, writeAtomic } from './run-outputs';
import { executeRun, planRun } from './run-project';
import { startLocalRunFleet } from './run-fleet-local';
import { formatRunSummary } from './run-summary';
import { buildVerdicts } from './verdicts';

/** `qe-fleet run`: runs a project's tests over the fleet; resolves with the exit code. */
export async function runProjectCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseRunArgs(argv);
  if (args.help) {
    io.out(RUN_USAGE);
    return 0;
  }
  return runProject(args, io);
}

export async function runProject(args: RunArgs, io: CliIo): Promise<number> {
  const startedAt = performance.now();
  const command = args.command === undefined ? undefined : { command: args.command, junit: args.junit, files: args.files };
  const plan = await planRun(args.projectDir, { runners: args.runners, command, files: args.files });
  const projectDir = plan.projectDir;
  const quarantinePath = path.resolve(args.quarantine ?? path.join(projectDir, '.agentlink', 'quarantine.json'));
  const [previousQuarantine, knownFailures] = await Promise.all([
    readQuarantine(quarantinePath),
    args.knownFailures === undefined ? Promise.resolve(new Set<string>()) : readKnownFailures(args.knownFailures),
  ]);
  const log = (line: string): void => io.err(`[qe-fleet] ${line}`);
  log(`run ${plan.runId}: ${plan.tasks.length} files (${plan.adapters.map((a) => a.name).join(', ')}) on ${args.executors} executors over ${args.transport}`);
  const fleet = await startLocalRunFleet({ executors: args.executors, slots: args.slots, transport: args.transport, fileTimeoutMs: args.fileTimeoutS * 1000 });
  let result;
  try {
    result = await executeRun({ fleet, plan, maxReruns: args.reruns, command, timeoutMs: args.timeoutS * 1000 });
  } finally {
    await fleet.close();
  }
  const verdicts = buildVerdicts(result.executions);
  const outcome = decideOutcome(verdicts, { runId: plan.runId, previousQuarantine, knownFailures, strict: args.strict });
  const outDir = path.resolve(args.out ?? path.join(projectDir, '.agentlink', 'runs', plan.runId));
  const junitPath = path.join(outDir, 'junit.xml');
  const quarantine = new Set(outcome.quarantine.tests.map((t) => t.id));
  await writeAtomic(junitPath, mergedJunit(plan.runId, verdicts, quarantine));
  await writeAtomic(quarantinePath, `${JSON.stringify(outcome.quarantine, null, 2)}\n`);
  const lost = result.record.accounting.lost;
  const exitCode = lost > 0 ? 1 : outcome.exitCode;
  const summary = {
    runId: plan.runId,
    projectDir,
    commit: plan.commit,
    runners: plan.adapters.map((a) => a.name),
    files: plan.tasks.length,
    executors: args.executors,
    transport: args.transport,
    wallMs: performance.now() - startedAt,
    accounting: result.record.accounting,
    outcome: { ...outcome, exitCode: exitCode as 0 | 1 },
    outputs: { junit: junitPath, quarantine: quarantinePath, summary: path.join(outDir, 'summary.json') },
    strict: args.strict,
  };
  await writeAtomic(summary.outputs.summary, `${JSON.stringify({ ...summary, verdicts }, null, 2)}\n`);
  io.out(args.json ? JSON.stringify({ ...summary, verdicts }, null, 2) : formatRunSummary(summary));
  if (lost > 0) log(`FAILED: ${lost} task(s) never completed before --timeout`);
  return exitCode;
}
