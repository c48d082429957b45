import { InvalidFlagError } from '../errors';
import type { TransportChoice } from '../messaging/create-transport';
import { RUNNER_NAMES } from './adapters/detect-runners';
import type { RunnerName } from './types';

export const RUN_USAGE = `Usage: qe-fleet run --project DIR [flags]

  --project DIR          the project whose tests to run (required)
  --runner R             jest | vitest | node-test | mocha, repeatable (default: detected from package.json)
  --command "CMD"        generic mode: a shell command with {file}, and {junit} (or --junit), {filter} for reruns
  --junit PATH           where --command writes JUnit XML, relative to the project ({file} is replaced)
  --files GLOB           only these test files, repeatable (--command: the files to run, default **/*.{test,spec}.*)
  --serial GLOB          run these files alone: nothing else runs on the fleet meanwhile, repeatable
                         (timing-bound tests; also read from package.json "qe-fleet": {"serial": [...]})
  --executors N          executor agents (default 4)
  --slots N              files run at once per executor (default 2)
  --reruns N             reruns of a failing test, each on another executor (default 2)
  --transport T          quic | tcp | auto (default quic)
  --mode M               in-process | processes (each executor its own process) (default in-process)
  --history TARGET       history store: a file path (node:sqlite) or postgres://... (default DIR/.agentlink/history.db)
  --no-history           do not record this run
  --resume RUN_ID        resume an interrupted run from the history store's ledger
  --out DIR              where junit.xml and summary.json go (default DIR/.agentlink/runs/RUN_ID)
  --quarantine FILE      quarantine read and updated (default DIR/.agentlink/quarantine.json)
  --known-failures FILE  JSON array of test ids whose failure is known: reported, never counted
  --strict               flaky and quarantined failures fail the run too
  --timeout S            run deadline in seconds (default 1800)
  --file-timeout S       kill a runner after S seconds (default 600)
  --progress MODE        auto | bar | lines | none (default auto: a bar on a TTY, lines otherwise)
  --json                 print the summary as JSON
  --help                 this text

Exit code: 0 when no test failed for real (flaky tests that passed on rerun are quarantined),
1 on a real failure (or any flaky with --strict), 2 on bad input, 130/143 when SIGINT/SIGTERM
stopped it (runners killed, the run kept in the history as interrupted: finish it with --resume).`;

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface RunArgs {
  readonly projectDir: string;
  readonly runners?: RunnerName[];
  readonly command?: string;
  readonly junit?: string;
  readonly files?: string[];
  readonly serial?: string[];
  readonly executors: number;
  readonly slots: number;
  readonly reruns: number;
  readonly transport: TransportChoice;
  readonly mode: 'in-process' | 'processes';
  readonly history?: string;
  readonly noHistory: boolean;
  readonly resume?: string;
  readonly out?: string;
  readonly quarantine?: string;
  readonly knownFailures?: string;
  readonly strict: boolean;
  readonly timeoutS: number;
  readonly fileTimeoutS: number;
  readonly progress: ProgressMode;
  readonly json: boolean;
  readonly help: boolean;
}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidFlagError(flag, `need an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new InvalidFlagError(flag, `need one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** Parses the flags of `qe-fleet run`. */
export function parseRunArgs(argv: readonly string[]): RunArgs {
  const a: { -readonly [K in keyof RunArgs]: RunArgs[K] } = {
    projectDir: '',
    executors: 4,
    slots: 2,
    reruns: 2,
    transport: 'quic',
    mode: 'in-process',
    noHistory: false,
    strict: false,
    timeoutS: 1800,
    fileTimeoutS: 600,
    progress: 'auto',
    json: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new InvalidFlagError(flag, 'a value is required');
      i += 1;
      return next;
    };
    switch (flag) {
      case '--project':
        a.projectDir = value();
        break;
      case '--runner':
        (a.runners ??= []).push(oneOf(flag, value(), RUNNER_NAMES));
        break;
      case '--command':
        a.command = value();
        break;
      case '--junit':
        a.junit = value();
        break;
      case '--files':
        (a.files ??= []).push(value());
        break;
      case '--serial':
        (a.serial ??= []).push(value());
        break;
      case '--executors':
        a.executors = integer(flag, value(), 1, 200);
        break;
      case '--slots':
        a.slots = integer(flag, value(), 1, 64);
        break;
      case '--reruns':
        a.reruns = integer(flag, value(), 0, 20);
        break;
      case '--transport':
        a.transport = oneOf<TransportChoice>(flag, value(), ['quic', 'tcp', 'auto']);
        break;
      case '--mode':
        a.mode = oneOf(flag, value(), ['in-process', 'processes'] as const);
        break;
      case '--history':
        a.history = value();
        break;
      case '--no-history':
        a.noHistory = true;
        break;
      case '--resume':
        a.resume = value();
        break;
      case '--out':
        a.out = value();
        break;
      case '--quarantine':
        a.quarantine = value();
        break;
      case '--known-failures':
        a.knownFailures = value();
        break;
      case '--strict':
        a.strict = true;
        break;
      case '--timeout':
        a.timeoutS = integer(flag, value(), 1, 86_400);
        break;
      case '--file-timeout':
        a.fileTimeoutS = integer(flag, value(), 1, 86_400);
        break;
      case '--progress':
        a.progress = oneOf<ProgressMode>(flag, value(), ['auto', 'bar', 'lines', 'none']);
        break;
      case '--json':
        a.json = true;
        break;
      case '--help':
      case '-h':
        a.help = true;
        break;
      default:
        throw new InvalidFlagError(flag, 'unknown flag for qe-fleet run');
    }
  }
  if (!a.help && a.projectDir === '' && a.resume === undefined)
    throw new InvalidFlagError('--project', 'the project directory is required');
  if (a.command !== undefined && a.runners !== undefined)
    throw new InvalidFlagError('--command', 'use either --command or --runner, not both');
  if (a.command !== undefined && !a.command.includes('{file}'))
    throw new InvalidFlagError('--command', 'the command needs a {file} placeholder');
  if (a.command !== undefined && !a.command.includes('{junit}') && a.junit === undefined) {
    throw new InvalidFlagError('--junit', '--command without a {junit} placeholder needs --junit PATH');
  }
  return a;
}
