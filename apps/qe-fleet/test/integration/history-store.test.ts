import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ExecutionRow, LedgerTaskRow } from '../../src/run/history/history-types';
import { migrate } from '../../src/run/history/migrate';
import { openHistoryStore } from '../../src/run/history/open-history';
import { openPgDriver } from '../../src/run/history/pg-driver';
import { openSqliteDriver } from '../../src/run/history/sqlite-driver';
import type { SqlHistoryStore } from '../../src/run/history/sql-history-store';
import { HistoryUnavailableError } from '../../src/run/run-errors';
import { postgresBinDir, postgresRequired, startPostgres, type TestPostgres } from '../support/postgres';

const hasPostgres = postgresBinDir() !== undefined;
if (!hasPostgres && postgresRequired) throw new Error('AGENTLINK_REQUIRE_POSTGRES=1 but PostgreSQL is not installed');

let work: string;
let pg: TestPostgres | undefined;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qe-fleet-history-'));
  if (hasPostgres) pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
  await rm(work, { recursive: true, force: true });
});

const run = (runId: string, startedAt: number) => ({
  runId,
  project: '/p',
  commit: 'abc',
  startedAt,
  finishedAt: null,
  status: 'running',
  exitCode: null,
  config: '{}',
});
const task = (runId: string, taskId: string): LedgerTaskRow => ({
  runId,
  taskId,
  task: JSON.stringify({ taskId }),
  expectedMs: 10,
  booked: false,
});
const exec = (
  runId: string,
  testId: string,
  attempt: number,
  outcome: ExecutionRow['outcome'],
  at: number,
  durationMs = 5,
): ExecutionRow => ({
  project: '/p',
  commit: 'abc',
  runId,
  testId,
  file: testId.split(' > ')[0]!,
  attempt,
  agent: `executor-${attempt}`,
  outcome,
  durationMs,
  messageDigest: outcome === 'failed' ? '0123456789abcdef' : null,
  message: outcome === 'failed' ? 'boom' : null,
  at,
});

const backends: Array<[string, () => Promise<string>]> = [
  ['node:sqlite', async () => path.join(work, `h-${Math.random().toString(16).slice(2)}.db`)],
  ...(hasPostgres
    ? [
        [
          'PostgreSQL',
          async () => {
            // A fresh database per test, on the one server.
            const name = `t_${Math.random().toString(16).slice(2)}`;
            const admin = await openPgDriver(pg!.url);
            await admin.run(`CREATE DATABASE ${name}`);
            await admin.close();
            return pg!.url.replace(/\/postgres$/, `/${name}`);
          },
        ] as [string, () => Promise<string>],
      ]
    : []),
];

describe.each(backends)('history store on %s (one schema, one module)', (_name, target) => {
  let store: SqlHistoryStore;
  beforeAll(async () => {
    store = await openHistoryStore(await target());
  });
  afterAll(async () => {
    await store?.close();
  });

  it('migrates once: re-running the migrations applies nothing', async () => {
    const again = store.target.startsWith('postgres')
      ? await openPgDriver(pg!.url.replace(/\/postgres$/, new URL(store.target).pathname))
      : openSqliteDriver(store.target);
    try {
      expect(await migrate(again)).toEqual([]);
      expect((await again.run('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version))).toEqual([
        1,
      ]);
    } finally {
      await again.close();
    }
  });

  it('books a task with its executions and reruns once; a second booking writes nothing', async () => {
    await store.startRun(run('r1', 1_000), [task('r1', 'f@1')]);
    const rows = [exec('r1', 'f > a', 1, 'failed', 2_000), exec('r1', 'f > b', 1, 'passed', 2_000)];
    expect(await store.bookTask('r1', 'f@1', rows, [task('r1', 'f::a@2')])).toBe(true);
    expect(await store.bookTask('r1', 'f@1', rows, [task('r1', 'f::a@2')])).toBe(false);
    expect(await store.listExecutions({ runId: 'r1' })).toHaveLength(2);
    expect((await store.ledger('r1')).map((t) => [t.taskId, t.booked])).toEqual([
      ['f::a@2', false],
      ['f@1', true],
    ]);
  });

  it('a booking that fails half-way leaves no row behind (one transaction)', async () => {
    await store.startRun(run('r2', 3_000), [task('r2', 'g@1')]);
    // The follow-up repeats an existing task id: the last insert fails, after the executions.
    await expect(
      store.bookTask('r2', 'g@1', [exec('r2', 'g > x', 1, 'failed', 4_000)], [task('r2', 'g@1')]),
    ).rejects.toThrow();
    expect(await store.listExecutions({ runId: 'r2' })).toEqual([]);
    expect((await store.ledger('r2')).map((t) => t.booked)).toEqual([false]);
  });

  it("lists a test's executions oldest first (the featurizer's read API), newest N with a limit", async () => {
    await store.startRun(run('r3', 5_000), [task('r3', 'f@1'), task('r3', 'f::a@2')]);
    await store.bookTask('r3', 'f@1', [exec('r3', 'f > a', 1, 'failed', 6_000)]);
    await store.bookTask('r3', 'f::a@2', [exec('r3', 'f > a', 2, 'passed', 7_000)]);
    const all = await store.listExecutions({ testId: 'f > a' });
    expect(all.map((e) => [e.runId, e.attempt, e.outcome, e.at])).toEqual([
      ['r1', 1, 'failed', 2_000],
      ['r3', 1, 'failed', 6_000],
      ['r3', 2, 'passed', 7_000],
    ]);
    expect(all[0]).toEqual(exec('r1', 'f > a', 1, 'failed', 2_000));
    expect((await store.listExecutions({ testId: 'f > a', limit: 2 })).map((e) => e.at)).toEqual([6_000, 7_000]);
  });

  it('reports runs, file durations and the flakiest tests', async () => {
    await store.finishRun('r3', 'passed', 0, 8_000);
    expect((await store.listRuns(2)).map((r) => [r.runId, r.status, r.exitCode, r.finishedAt])).toEqual([
      ['r3', 'passed', 0, 8_000],
      ['r2', 'running', null, null],
    ]);
    expect(await store.getRun('nope')).toBeUndefined();
    expect(await store.fileDurations('/p')).toEqual(new Map([['f', 7.5]]));
    expect(await store.flakiest(5)).toEqual([{ testId: 'f > a', runs: 2, flakyRuns: 1, failures: 2, executions: 3 }]);
  });
});

describe('history store: unreachable or unusable database', () => {
  it('PostgreSQL nobody listens on: ERR_HISTORY_UNAVAILABLE naming the URL without its password', async () => {
    const error = await openHistoryStore('postgres://fleet:secret@127.0.0.1:1/history').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryUnavailableError);
    expect((error as HistoryUnavailableError).code).toBe('ERR_HISTORY_UNAVAILABLE');
    expect((error as Error).message).toMatch(
      /^history store postgres:\/\/fleet:\*\*\*@127\.0\.0\.1:1\/history: cannot connect \(.*ECONNREFUSED/,
    );
    expect((error as Error).message).not.toContain('secret');
  });

  it('a SQLite path that is not a database: ERR_HISTORY_UNAVAILABLE naming the file', async () => {
    const file = path.join(work, 'not-a-db.db');
    await writeFile(file, 'this is not sqlite '.repeat(100));
    const error = await openHistoryStore(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryUnavailableError);
    expect((error as Error).message).toMatch(new RegExp(`^history store ${file.replace(/[.]/g, '\\.')}: `));
  });
});
