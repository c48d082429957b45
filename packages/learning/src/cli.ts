import { parseArgs } from 'node:util';
import {
  CliUsageError,
  evaluateCommand,
  historyCommand,
  joinCommand,
  predictCommand,
  trainCommand,
  type CommandOptions,
} from './cli-commands';
import { USAGE } from './cli-usage';
import { reportCommand } from './report-command';
import { ineffectiveOptions, parseObjective } from './cli-checks';
import { flakeFlaggerFile } from './flakeflagger-files';
import type { TreeMode } from './gbdt/gbdt-options';
import { MODEL_FAMILIES, type FamilyChoice } from './model-family';
import type { WarningCode } from './types';
import type { VerdictColumns } from './verdict-csv';

export { USAGE } from './cli-usage';

/** The FlakeFlagger data set with its project column, as shipped in the package (gzip) or the repository. */
export const DEFAULT_REPORT_DATA = flakeFlaggerFile('flakeflagger-with-project.csv');

const COMMAND_NAMES = ['train', 'evaluate', 'predict', 'report', 'join', 'history'];

const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new CliUsageError(`${flag} must be an integer, got ${value}`);
  return parsed;
}

/** The verdict-log columns of `history` (--test, --run, --time and --outcome are required). */
function parseVerdictColumns(values: Readonly<Record<string, string | boolean | undefined>>): VerdictColumns {
  const column = (flag: string): string => {
    const value = values[flag];
    if (typeof value !== 'string' || value === '') throw new CliUsageError(`history needs --${flag} <column>`);
    return value;
  };
  const duration = values.duration;
  return {
    test: column('test'),
    run: column('run'),
    time: column('time'),
    outcome: column('outcome'),
    ...(typeof duration === 'string' ? { duration } : {}),
  };
}

/**
 * Training progress on stderr: on a terminal one line rewritten every epoch (or boosting round);
 * otherwise (CI logs, pipes) a line every `every` epochs, so logs stay short but show life.
 */
export function epochProgress(io: { err: (text: string) => void; isTTY?: boolean }, every: number) {
  return ({ epoch, loss, valLoss }: { epoch: number; loss: number; valLoss: number }): void => {
    const line = `epoch ${epoch}: loss ${loss.toFixed(4)}, validation loss ${valLoss.toFixed(4)}`;
    if (io.isTTY) io.err(`\r${line}   `);
    else if (epoch % every === 0) io.err(`${line}\n`);
  };
}

/** Parses argv (without node and script) into a command name and its options. */
export function parseCommandLine(
  argv: readonly string[],
  log: (line: string) => void,
): { command: string; options: CommandOptions } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'history-key': { type: 'string' },
      'history-key-strip': { type: 'string' },
      'history-key-separator': { type: 'string' },
      'history-folds': { type: 'string' },
      'history-smoothing': { type: 'string' },
      data: { type: 'string' },
      label: { type: 'string' },
      drop: { type: 'string' },
      group: { type: 'string' },
      categorical: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      model: { type: 'string' },
      results: { type: 'string' },
      from: { type: 'string' },
      'holdout-seeds': { type: 'string' },
      jobs: { type: 'string' },
      'report-set': { type: 'string' },
      'progress-every': { type: 'string' },
      test: { type: 'string' },
      run: { type: 'string' },
      time: { type: 'string' },
      outcome: { type: 'string' },
      duration: { type: 'string' },
      mode: { type: 'string' },
      'test-fraction': { type: 'string' },
      folds: { type: 'string' },
      'group-folds': { type: 'string' },
      epochs: { type: 'string' },
      ensemble: { type: 'string' },
      dropout: { type: 'string' },
      'learning-rate': { type: 'string' },
      'batch-size': { type: 'string' },
      patience: { type: 'string' },
      hidden: { type: 'string' },
      'class-weighting': { type: 'string' },
      'threshold-objective': { type: 'string' },
      objective: { type: 'string' },
      'min-recall': { type: 'string' },
      family: { type: 'string' },
      trees: { type: 'string' },
      'inner-folds': { type: 'string' },
      order: { type: 'string' },
      'threshold-min-balanced-accuracy': { type: 'string' },
      'floor-balanced-accuracy': { type: 'string' },
      'fatal-warnings': { type: 'boolean' },
      backend: { type: 'string' },
    },
  });
  const command = positionals[0];
  if (command === undefined) throw new CliUsageError('a command is required');
  if (!COMMAND_NAMES.includes(command)) throw new CliUsageError(`unknown command "${command}"`);
  const isReport = command === 'report';
  const label = values.label ?? (isReport ? 'flakyStatus' : undefined);
  if (label === undefined && !['join', 'predict', 'history'].includes(command))
    throw new CliUsageError('--label is required');
  const verdictColumns = command === 'history' ? parseVerdictColumns(values) : undefined;
  const holdoutSeeds = list(values['holdout-seeds'])?.map((seed) => integer(seed, '--holdout-seeds')!);
  const testFraction = values['test-fraction'] === undefined ? 0.2 : Number(values['test-fraction']);
  if (!(testFraction >= 0 && testFraction < 1))
    throw new CliUsageError(`--test-fraction must be in [0, 1), got ${values['test-fraction']}`);
  const floor =
    values['floor-balanced-accuracy'] === undefined ? undefined : Number(values['floor-balanced-accuracy']);
  if (floor !== undefined && !(floor >= 0 && floor <= 1))
    throw new CliUsageError(`--floor-balanced-accuracy must be in [0, 1], got ${values['floor-balanced-accuracy']}`);
  const historyKey = values['history-key'];
  if (
    historyKey === undefined &&
    (values['history-key-strip'] !== undefined || values['history-key-separator'] !== undefined)
  ) {
    throw new CliUsageError('--history-key-strip and --history-key-separator need --history-key');
  }
  const strip = integer(values['history-key-strip'], '--history-key-strip');
  if (strip !== undefined && strip < 0)
    throw new CliUsageError(`--history-key-strip must be an integer >= 0, got ${strip}`);
  if (values['history-key-separator'] === '') throw new CliUsageError('--history-key-separator must not be empty');
  const historySmoothing = values['history-smoothing'] === undefined ? undefined : Number(values['history-smoothing']);
  if (historySmoothing !== undefined && !(historySmoothing >= 0 && Number.isFinite(historySmoothing)))
    throw new CliUsageError(`--history-smoothing must be a number >= 0, got ${values['history-smoothing']}`);
  const family = (values.family ?? 'auto') as FamilyChoice;
  if (!['auto', ...MODEL_FAMILIES].includes(family))
    throw new CliUsageError(`--family must be auto, network, gbdt or ensemble, got ${family}`);
  const trees = values.trees as TreeMode | undefined;
  if (trees !== undefined && !['boosting', 'forest', 'both'].includes(trees))
    throw new CliUsageError(`--trees must be boosting, forest or both, got ${trees}`);
  const objective = parseObjective(values.objective, values['threshold-objective']);
  const minRecall = values['min-recall'] === undefined ? undefined : Number(values['min-recall']);
  if (minRecall !== undefined && !(minRecall >= 0 && minRecall <= 1))
    throw new CliUsageError(`--min-recall must be in [0, 1], got ${values['min-recall']}`);
  for (const warning of ineffectiveOptions(command, values)) log(`warning: ${warning}`);
  const options: CommandOptions = {
    data: values.data ?? (isReport ? DEFAULT_REPORT_DATA : undefined),
    schema: {
      label: label ?? 'label',
      drop: list(values.drop) ?? [],
      group: values.group,
      categorical: list(values.categorical),
      ...(values.order === undefined ? {} : { order: values.order }),
      ...(historyKey === undefined
        ? {}
        : {
            historyKey: {
              column: historyKey,
              stripSegments: strip ?? 0,
              separator: values['history-key-separator'] ?? '.',
            },
          }),
    },
    seed: integer(values.seed, '--seed') ?? 42,
    out: values.out,
    model: values.model,
    results: values.results,
    from: values.from,
    holdoutSeeds,
    jobs: integer(values.jobs, '--jobs'),
    reportSet: integer(values['report-set'], '--report-set'),
    verdictColumns,
    progressEvery: integer(values['progress-every'], '--progress-every'),
    mode: values.mode ?? 'holdout',
    family,
    innerFolds: integer(values['inner-folds'], '--inner-folds'),
    floorBalancedAccuracy: floor,
    fatal: values['fatal-warnings'] ? ('all' as const satisfies readonly WarningCode[] | 'all') : undefined,
    testFraction,
    folds: integer(values.folds, '--folds'),
    groupFolds: integer(values['group-folds'], '--group-folds'),
    training: {
      maxEpochs: integer(values.epochs, '--epochs'),
      ensembleSize: integer(values.ensemble, '--ensemble'),
      dropout: values.dropout === undefined ? undefined : Number(values.dropout),
      batchSize: integer(values['batch-size'], '--batch-size'),
      learningRate: values['learning-rate'] === undefined ? undefined : Number(values['learning-rate']),
      patience: integer(values.patience, '--patience'),
      hiddenUnits: list(values.hidden)?.map(Number),
      classWeighting: values['class-weighting'] as 'balanced' | 'sqrt' | 'none' | undefined,
      thresholdObjective: objective,
      thresholdMinRecall: minRecall,
      thresholdMinBalancedAccuracy:
        values['threshold-min-balanced-accuracy'] === undefined
          ? undefined
          : Number(values['threshold-min-balanced-accuracy']),
      historyFolds: integer(values['history-folds'], '--history-folds'),
      historySmoothing,
      backend: values.backend as 'auto' | 'tensorflow' | 'wasm' | 'cpu' | undefined,
      gbdt: trees === undefined ? undefined : { mode: trees },
    },
    argv,
    log,
  };
  return { command, options };
}

const COMMANDS: Record<string, (options: CommandOptions) => Promise<unknown>> = {
  train: trainCommand,
  evaluate: evaluateCommand,
  predict: predictCommand,
  report: reportCommand,
  join: joinCommand,
  history: historyCommand,
};

/**
 * Runs the CLI; resolves to the process exit code (0 ok, 1 failure, 2 usage).
 * Output: JSON on stdout, progress on stderr.
 */
export async function runCli(
  argv: readonly string[],
  io: { out: (text: string) => void; err: (text: string) => void; isTTY?: boolean },
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  try {
    const { command, options: parsed } = parseCommandLine(argv, (line) => io.err(`${line}\n`));
    const every = parsed.progressEvery ?? 10;
    const options = { ...parsed, training: { ...parsed.training, onEpoch: epochProgress(io, every) } };
    io.out(`${JSON.stringify(await COMMANDS[command](options), null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof CliUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    const code = (error as { code?: string }).code;
    io.err(`${code === undefined ? '' : `${code}: `}${(error as Error).message}\n`);
    return 1;
  }
}
