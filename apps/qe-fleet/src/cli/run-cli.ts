import { createLearningPredictor } from '../model/learning-predictor';
import { runFleet } from '../fleet/run-fleet';
import { formatSummaryTable } from '../report/summary-table';
import { parseArgs, USAGE } from './parse-args';
import { runConfiguredAgent } from '../config/run-configured-agent';
import { runProcessFleet } from '../fleet/process-fleet';
import { runProjectCommand } from '../run/run-command';
import { historyCommand } from '../run/history-command';
import { executorProcessCommand } from '../run/executor-process';

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Runs the CLI; resolves with the process exit code (never throws). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    // Subcommand: run a project's own tests over the fleet (src/run/).
    if (argv[0] === 'run') return await runProjectCommand(argv.slice(1), io);
    if (argv[0] === 'history') return await historyCommand(argv.slice(1), io);
    if (argv[0] === 'run-executor') return await executorProcessCommand(argv.slice(1), io);
    const { options, help } = parseArgs(argv);
    if (help) {
      io.out(USAGE);
      return 0;
    }
    if (options.configPath !== undefined) return await runConfiguredAgent(options, io);
    const log = (line: string): void => io.err(`[qe-fleet] ${line}`);
    const result =
      options.mode === 'in-process'
        ? await runFleet(options, {
            createPredictor: (trainingSet) =>
              createLearningPredictor(trainingSet, { modelDir: options.modelDir, log }),
            log,
          })
        : await runProcessFleet(options, { log });
    io.out(options.json ? JSON.stringify(result.summary, null, 2) : formatSummaryTable(result.summary));
    const { lost, phantom } = result.summary.accounting;
    if (result.exitCode !== 0) io.err(`[qe-fleet] FAILED: ${lost} task(s) lost, ${phantom} phantom result(s)`);
    return result.exitCode;
  } catch (error) {
    const e = error as { code?: string; message?: string };
    io.err(`qe-fleet: ${e.code ?? 'ERROR'}: ${e.message ?? String(error)}`);
    return 2;
  }
}
