import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/run-cli';
import { resolveAgentEntry } from '../../src/fleet/agent-entry';
import { openHistoryStore } from '../../src/run/history/open-history';
import { alive, recordedPids, writeHangingProject } from '../support/hanging-project';
import { until } from '../support/until';

const QUICK = 3;
const HANGING = 2;
let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qe-fleet-interrupt-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/**
 * Starts `qe-fleet run` as a real process, waits until the quick files are booked and every
 * hanging file's runner is up, then sends it `signal`; resolves with its exit code and the run id.
 */
async function interruptMidRun(
  project: string,
  history: string,
  signal: 'SIGINT' | 'SIGTERM',
  mode: 'in-process' | 'processes',
): Promise<{ code: number | null; runId: string; pids: number[] }> {
  const entry = resolveAgentEntry();
  const argv = [...entry.nodeArgs, entry.file, 'run', '--project', project, '--history', history];
  argv.push('--executors', '2', '--slots', '2', '--mode', mode, '--progress', 'none');
  const child = spawn(process.execPath, argv, { detached: true, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const pidFiles = path.join(project, 'pids');
    await until('the hanging runners', () => (readdirSync(pidFiles).length === HANGING ? true : undefined));
    const store = await until('the store', () => (existsSync(history) ? openHistoryStore(history) : undefined));
    try {
      const runId = await until('the run row', async () => (await store.listRuns(1))[0]?.runId);
      await until('the quick files booked', async () =>
        (await store.ledger(runId)).filter((t) => t.booked).length === QUICK ? true : undefined,
      );
      const pids = recordedPids(project);
      expect(pids.filter(alive)).toHaveLength(2 * HANGING);
      // The signal goes to qe-fleet alone, as a supervisor's would: it must stop its runners itself.
      process.kill(child.pid!, signal);
      return { code: await exited, runId, pids };
    } finally {
      await store.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
}

/** The pids still running once a killed process has had up to 5 s to go (SIGKILL is not instant under load). */
async function stillAlive(pids: readonly number[]): Promise<number[]> {
  await until('the runners gone', () => (pids.some(alive) ? undefined : true), 5_000).catch(() => undefined);
  return pids.filter(alive);
}

describe('qe-fleet run stopped by a signal', () => {
  it('SIGTERM: runners killed with their children, bookings whole, exit 143; --resume finishes the run', async () => {
    const project = await writeHangingProject(path.join(work, 'term'), QUICK, HANGING);
    const history = path.join(work, 'term.db');
    const { code, runId, pids } = await interruptMidRun(project, history, 'SIGTERM', 'in-process');
    expect(code).toBe(143);
    // Each hanging runner's test process and the child it started (which ignores SIGTERM).
    expect(await stillAlive(pids)).toEqual([]);
    const store = await openHistoryStore(history);
    try {
      expect(await store.getRun(runId)).toMatchObject({ status: 'interrupted', exitCode: 143 });
      const ledger = await store.ledger(runId);
      expect(ledger.filter((t) => t.booked).map((t) => t.taskId)).toEqual(
        Array.from({ length: QUICK }, (_, i) => `test/quick-${i}.test.mjs@1`),
      );
      // No half-written booking: every row belongs to a booked task, one per test.
      const rows = await store.listExecutions({ runId });
      expect(rows.map((r) => r.testId).sort()).toEqual(
        Array.from({ length: QUICK }, (_, i) => `test/quick-${i}.test.mjs > quick ${i}`),
      );
    } finally {
      await store.close();
    }
    await rm(path.join(project, 'hang'));
    const out: string[] = [];
    const resumed = await runCli(
      ['run', '--resume', runId, '--history', history, '--executors', '2', '--progress', 'none', '--json'],
      { out: (l) => out.push(l), err: () => undefined },
    );
    const summary = JSON.parse(out.join('\n')) as { accounting: Record<string, number> };
    expect(resumed).toBe(0);
    expect(summary.accounting).toMatchObject({ tasks: QUICK + HANGING, completedOnce: QUICK + HANGING, lost: 0 });
    // Only the interrupted files ran again.
    expect(summary.accounting.dispatches - summary.accounting.unknownOutcome).toBe(HANGING);
    const after = await openHistoryStore(history);
    try {
      expect((await after.getRun(runId))?.status).toBe('passed');
      expect(await after.listExecutions({ runId })).toHaveLength(QUICK + HANGING);
    } finally {
      await after.close();
    }
  }, 240_000);

  it('SIGINT with executors as processes: their runners killed with their children, exit 130', async () => {
    const project = await writeHangingProject(path.join(work, 'int'), QUICK, HANGING);
    const history = path.join(work, 'int.db');
    const { code, runId, pids } = await interruptMidRun(project, history, 'SIGINT', 'processes');
    expect(code).toBe(130);
    expect(await stillAlive(pids)).toEqual([]);
    const store = await openHistoryStore(history);
    try {
      expect(await store.getRun(runId)).toMatchObject({ status: 'interrupted', exitCode: 130 });
      expect((await store.ledger(runId)).filter((t) => t.booked)).toHaveLength(QUICK);
      expect(await store.listExecutions({ runId })).toHaveLength(QUICK);
    } finally {
      await store.close();
    }
  }, 240_000);
});
