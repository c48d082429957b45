import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/run-cli';
import { resolveAgentEntry } from '../../src/fleet/agent-entry';
import { openHistoryStore } from '../../src/run/history/open-history';
import { openPgDriver } from '../../src/run/history/pg-driver';
import { postgresBinDir, postgresRequired, startPostgres, type TestPostgres } from '../support/postgres';
import { writeSlowProject } from '../support/slow-project';
import { until } from '../support/until';

const FILES = 9;
const hasPostgres = postgresBinDir() !== undefined;
if (!hasPostgres && postgresRequired) throw new Error('AGENTLINK_REQUIRE_POSTGRES=1 but PostgreSQL is not installed');

let work: string;
let project: string;
let pg: TestPostgres | undefined;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qe-fleet-resume-'));
  project = await writeSlowProject(path.join(work, 'project'), FILES, 300);
  if (hasPostgres) pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
  await rm(work, { recursive: true, force: true });
});

async function freshPgDatabase(): Promise<string> {
  const name = `resume_${Math.random().toString(16).slice(2)}`;
  const admin = await openPgDriver(pg!.url);
  await admin.run(`CREATE DATABASE ${name}`);
  await admin.close();
  return pg!.url.replace(/\/postgres$/, `/${name}`);
}

/**
 * Starts `qe-fleet run` in its own process group, SIGKILLs the group once `killAfter` tasks are booked;
 * returns the run id.
 */
async function killMidRun(history: string, killAfter: number): Promise<{ runId: string; bookedAtKill: number }> {
  const entry = resolveAgentEntry();
  const argv = [
    ...entry.nodeArgs,
    entry.file,
    'run',
    '--project',
    project,
    '--history',
    history,
    '--executors',
    '2',
    '--slots',
    '1',
    '--progress',
    'none',
  ];
  const child = spawn(process.execPath, argv, { detached: true, stdio: 'ignore', env: { ...process.env } });
  const exited = new Promise<string | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  try {
    const store = await until('the store', () => openHistoryStore(history));
    try {
      const runId = await until('the run row', async () => (await store.listRuns(1))[0]?.runId);
      await until(`${killAfter} booked tasks`, async () => {
        const n = (await store.ledger(runId)).filter((t) => t.booked).length;
        return n >= killAfter ? n : undefined;
      });
      process.kill(-child.pid!, 'SIGKILL');
      expect(await exited).toBe('SIGKILL');
      // What the store holds once the coordinator is dead: the resume must not run any of it again.
      return { runId, bookedAtKill: (await store.ledger(runId)).filter((t) => t.booked).length };
    } finally {
      await store.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
}

const backends: Array<[string, () => Promise<string>]> = [
  ['node:sqlite', async () => path.join(work, `h-${Math.random().toString(16).slice(2)}.db`)],
  ...(hasPostgres ? [['PostgreSQL', freshPgDatabase] as [string, () => Promise<string>]] : []),
];

describe.each(backends)('coordinator SIGKILLed mid-run and resumed (%s)', (_name, target) => {
  // A random point of the run: after 1 to 6 of its 12 tasks are booked
  // (tools/scripts/coordinator-kill-runs.mjs does 20 runs).
  const killAfter = 1 + Math.floor(Math.random() * 6);
  it(`killed after ${killAfter} booked tasks: --resume completes every task exactly once`, async () => {
    const history = await target();
    const { runId, bookedAtKill } = await killMidRun(history, killAfter);
    const out: string[] = [];
    const code = await runCli(
      [
        'run',
        '--resume',
        runId,
        '--history',
        history,
        '--executors',
        '2',
        '--progress',
        'none',
        '--json',
        '--out',
        path.join(work, runId),
      ],
      {
        out: (l) => out.push(l),
        err: () => undefined,
      },
    );
    const summary = JSON.parse(out.join('\n')) as {
      accounting: Record<string, number>;
      verdicts: Array<{ id: string; verdict: string }>;
    };
    expect(code).toBe(0);
    // 9 files + 3 reruns of the tests that fail on their first attempt.
    expect(summary.accounting).toMatchObject({ tasks: FILES + 3, completedOnce: FILES + 3, lost: 0, phantom: 0 });
    // Booked tasks stay booked: the resumed coordinator dispatched only the others (a dispatch given
    // up on, outcome unknown, is re-dispatched and counted apart).
    expect(summary.accounting.dispatches - summary.accounting.unknownOutcome).toBe(FILES + 3 - bookedAtKill);
    const store = await openHistoryStore(history);
    try {
      const ledger = await store.ledger(runId);
      expect(ledger.filter((t) => !t.booked)).toEqual([]);
      const rows = await store.listExecutions({ runId });
      // Exactly once: one row per (task, test), never a booked task run twice.
      const perTest = new Map<string, number>();
      for (const r of rows)
        perTest.set(`${r.testId}@${r.attempt}`, (perTest.get(`${r.testId}@${r.attempt}`) ?? 0) + 1);
      expect([...perTest.values()].filter((n) => n !== 1)).toEqual([]);
      expect(rows).toHaveLength(FILES + 3 + 3);
      expect(summary.verdicts.filter((v) => v.verdict === 'flaky')).toHaveLength(3);
      expect((await store.getRun(runId))?.status).toBe('passed');
    } finally {
      await store.close();
    }
  }, 180_000);
});

describe('--resume of a run the store does not have', () => {
  it('is ERR_UNKNOWN_RUN naming the run and the store', async () => {
    const history = path.join(work, 'empty.db');
    const err: string[] = [];
    const code = await runCli(['run', '--resume', 'run-nope', '--history', history], {
      out: () => undefined,
      err: (l) => err.push(l),
    });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(`ERR_UNKNOWN_RUN: run run-nope is not in the history store ${history}`);
  });
});
