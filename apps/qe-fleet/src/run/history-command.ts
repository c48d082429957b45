import path from 'node:path';
import type { CliIo } from '../cli/run-cli';
import { InvalidFlagError } from '../errors';
import { defaultHistoryPath, openHistoryStore } from './history/open-history';
import { verdictCsv, verdictLog } from './history/verdict-log';
import { writeAtomic } from './run-outputs';

export const HISTORY_USAGE = `Usage: qe-fleet history [runs | test TEST_ID | flakiest | verdicts] [flags]

  runs (default)         the latest runs: id, status, exit code, start, duration, commit
  test TEST_ID           a test's recent executions ("file > test name")
  flakiest               tests that failed then passed within a run, most often first
  verdicts               every run's first-attempt verdict per test as CSV (test,run,time,outcome,duration),
                         for agentlink-learn history --test test --run run --time time --outcome outcome
  --project DIR          read DIR/.agentlink/history.db (default: the current directory); verdicts: only DIR's
  --history TARGET       a node:sqlite file or postgres://...
  --out FILE             verdicts: write the CSV here (default: standard output)
  --limit N              rows (default 20; verdicts: all)
  --json                 JSON instead of a table`;

interface HistoryArgs {
  view: 'runs' | 'test' | 'flakiest' | 'verdicts';
  testId?: string;
  target?: string;
  project: string;
  projectGiven: boolean;
  out?: string;
  limit: number;
  json: boolean;
}

function parse(argv: readonly string[]): HistoryArgs | undefined {
  const a: HistoryArgs = { view: 'runs', project: '.', projectGiven: false, limit: 20, json: false };
  const rest = [...argv];
  while (rest.length > 0) {
    const word = rest.shift()!;
    const value = (): string => {
      const v = rest.shift();
      if (v === undefined) throw new InvalidFlagError(word, 'a value is required');
      return v;
    };
    if (word === 'runs' || word === 'flakiest' || word === 'verdicts') a.view = word;
    else if (word === 'test') {
      a.view = 'test';
      a.testId = value();
    } else if (word === '--project') {
      a.project = value();
      a.projectGiven = true;
    } else if (word === '--out') a.out = value();
    else if (word === '--history') a.target = value();
    else if (word === '--limit') {
      a.limit = Number(value());
      if (!Number.isInteger(a.limit) || a.limit < 1) throw new InvalidFlagError('--limit', 'need a positive integer');
    } else if (word === '--json') a.json = true;
    else if (word === '--help' || word === '-h') return undefined;
    else throw new InvalidFlagError(word, 'unknown argument for qe-fleet history');
  }
  return a;
}

const time = (ms: number | null): string =>
  ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** `qe-fleet history`: what the store remembers. */
export async function historyCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parse(argv);
  if (args === undefined) {
    io.out(HISTORY_USAGE);
    return 0;
  }
  const store = await openHistoryStore(args.target ?? defaultHistoryPath(path.resolve(args.project)));
  try {
    if (args.view === 'runs') {
      const runs = await store.listRuns(args.limit);
      if (args.json) io.out(JSON.stringify(runs, null, 2));
      else {
        io.out('run id                           status   exit  started (UTC)        duration  commit');
        for (const r of runs) {
          const duration = r.finishedAt === null ? '-' : `${((r.finishedAt - r.startedAt) / 1000).toFixed(1)} s`;
          io.out(
            `${r.runId.padEnd(32)} ${r.status.padEnd(8)} ${String(r.exitCode ?? '-').padEnd(5)} ` +
              `${time(r.startedAt)}  ${duration.padStart(8)}  ${r.commit.slice(0, 12)}`,
          );
        }
      }
    } else if (args.view === 'verdicts') {
      const project = args.projectGiven ? path.resolve(args.project) : undefined;
      const csv = verdictCsv(verdictLog(await store.listExecutions({ project })));
      if (args.out === undefined) io.out(csv.trimEnd());
      else await writeAtomic(path.resolve(args.out), csv);
    } else if (args.view === 'test') {
      const rows = await store.listExecutions({ testId: args.testId, limit: args.limit });
      if (args.json) io.out(JSON.stringify(rows, null, 2));
      else
        for (const r of rows)
          io.out(
            `${time(r.at)}  ${r.runId}  attempt ${r.attempt}  ${r.outcome.padEnd(7)} ` +
              `${String(r.durationMs).padStart(6)} ms  ${r.agent}` +
              (r.message ? `  ${r.message.slice(0, 80)}` : ''),
          );
    } else {
      const rows = await store.flakiest(args.limit);
      if (args.json) io.out(JSON.stringify(rows, null, 2));
      else {
        io.out('flaky runs / runs  failures / executions  test');
        for (const r of rows)
          io.out(
            `${`${r.flakyRuns} / ${r.runs}`.padStart(17)}  ` +
              `${`${r.failures} / ${r.executions}`.padStart(21)}  ${r.testId}`,
          );
      }
    }
    return 0;
  } finally {
    await store.close();
  }
}
