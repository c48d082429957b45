#!/usr/bin/env node
// Issue 18's "coordinator SIGKILLed at a random point in each of 20 runs": per history backend
// (node:sqlite, and a real PostgreSQL this script starts), each run starts `qe-fleet run` on a
// 9-file node:test project (3 files fail once, so reruns are booked too), SIGKILLs its process
// group after a random number of booked tasks, resumes it with `--resume`, and checks in the
// store that every task is booked and every (test, attempt) executed exactly once.
// Build first (npx nx build qe-fleet). Run: node tools/scripts/coordinator-kill-runs.mjs [--runs 20]
// [--backends sqlite,postgres] [--out tools/bench/results/coordinator-kill-runs.json]
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const main = path.join(root, 'apps/qe-fleet/dist/main.js');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    backends: { type: 'string', default: 'sqlite,postgres' },
    out: { type: 'string' },
  },
});
const runs = Number(values.runs);
const FILES = 9;
const TASKS = FILES + 3;
if (!existsSync(main)) throw new Error(`${main} missing: npx nx build qe-fleet`);

const work = mkdtempSync(path.join(os.tmpdir(), 'coordinator-kill-'));
const project = path.join(work, 'project');
mkdirSync(path.join(project, 'test'), { recursive: true });
writeFileSync(
  path.join(project, 'package.json'),
  JSON.stringify({ name: 'slow', scripts: { test: 'node --test test/' } }),
);
for (let i = 0; i < FILES; i += 1) {
  const flaky =
    i % 3 === 0
      ? "test('fails on the first attempt', () => { " +
        "if (process.env.AGENTLINK_ATTEMPT === '1') throw new Error('first'); });\n"
      : '';
  writeFileSync(
    path.join(project, 'test', `file-${i}.test.mjs`),
    "import { test } from 'node:test';\n" +
      "test('waits', async () => { await new Promise((r) => setTimeout(r, 300)); });\n" +
      flaky,
  );
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function startPostgres() {
  const base = '/usr/lib/postgresql';
  const version = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, 'bin/initdb')))
    .sort((a, b) => b - a)[0];
  const bin = path.join(base, version, 'bin');
  // Its own temp directory: the postgres user cannot enter this script's (mode 0700, root's).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-kill-pg-'));
  const asRoot = process.getuid() === 0;
  if (asRoot)
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'])), Number(execFileSync('id', ['-g', 'postgres'])));
  const run = (tool, args) =>
    execFileSync(
      asRoot ? 'runuser' : path.join(bin, tool),
      asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args,
      { stdio: 'pipe' },
    );
  const port = await freePort();
  run('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'agentlink', '--no-sync']);
  run('pg_ctl', [
    '-D',
    path.join(dir, 'data'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    '-l',
    path.join(dir, 'log'),
    '-w',
    'start',
  ]);
  const stop = () => {
    run('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: `postgres://agentlink@127.0.0.1:${port}/postgres`, stop };
}

/** The two queries the check needs, on either store. */
async function openCheck(target) {
  if (target.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    let n = 0;
    const numbered = (sql) => ((n = 0), sql.replace(/\?/g, () => `$${(n += 1)}`));
    return { all: async (sql, params) => (await client.query(numbered(sql), params)).rows, close: () => client.end() };
  }
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
  const db = new DatabaseSync(target);
  return { all: async (sql, params) => db.prepare(sql).all(...params), close: async () => db.close() };
}

function cli(args) {
  return spawn(process.execPath, [main, ...args], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
}

async function oneRun(target) {
  const killAfter = 1 + Math.floor(Math.random() * (TASKS - 2));
  const child = cli([
    'run',
    '--project',
    project,
    '--history',
    target,
    '--executors',
    '2',
    '--slots',
    '1',
    '--progress',
    'none',
  ]);
  const exited = new Promise((resolve) => child.once('exit', (_c, signal) => resolve(signal)));
  let runId;
  let booked = 0;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const check = await openCheck(target).catch(() => undefined);
    if (check !== undefined) {
      try {
        runId = (await check.all('SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1', []).catch(() => []))[0]
          ?.run_id;
        if (runId)
          booked = Number(
            (await check.all('SELECT COUNT(*) AS n FROM ledger_tasks WHERE run_id = ? AND booked = 1', [runId]))[0].n,
          );
      } finally {
        await check.close();
      }
    }
    if (runId && booked >= killAfter) break;
    await sleep(50);
  }
  process.kill(-child.pid, 'SIGKILL');
  const signal = await exited;
  // Booked when the coordinator died: the resumed one must dispatch none of these again.
  const atKill = await openCheck(target);
  const bookedAtKill = Number(
    (await atKill.all('SELECT COUNT(*) AS n FROM ledger_tasks WHERE run_id = ? AND booked = 1', [runId]))[0].n,
  );
  await atKill.close();
  const resumed = cli([
    'run',
    '--resume',
    runId,
    '--history',
    target,
    '--executors',
    '2',
    '--progress',
    'none',
    '--json',
    '--out',
    path.join(work, runId),
  ]);
  let out = '';
  resumed.stdout.on('data', (c) => (out += c));
  const code = await new Promise((resolve) => resumed.once('exit', resolve));
  const accounting = JSON.parse(out).accounting;
  const check = await openCheck(target);
  try {
    const unbooked = Number(
      (await check.all('SELECT COUNT(*) AS n FROM ledger_tasks WHERE run_id = ? AND booked = 0', [runId]))[0].n,
    );
    const twice = (
      await check.all(
        'SELECT test_id, attempt, COUNT(*) AS n FROM executions WHERE run_id = ? ' +
          'GROUP BY test_id, attempt HAVING COUNT(*) > 1',
        [runId],
      )
    ).length;
    const rows = Number((await check.all('SELECT COUNT(*) AS n FROM executions WHERE run_id = ?', [runId]))[0].n);
    const redispatchedBooked = accounting.dispatches - accounting.unknownOutcome - (TASKS - bookedAtKill);
    const ok =
      signal === 'SIGKILL' &&
      code === 0 &&
      unbooked === 0 &&
      twice === 0 &&
      rows === TASKS + 3 &&
      accounting.completedOnce === TASKS &&
      accounting.lost === 0 &&
      accounting.phantom === 0 &&
      redispatchedBooked === 0;
    return {
      runId,
      killAfter,
      bookedAtKill,
      signal,
      resumeExit: code,
      unbooked,
      executedTwice: twice,
      redispatchedBooked,
      rows,
      accounting,
      ok,
    };
  } finally {
    await check.close();
  }
}

const results = {};
let postgres;
try {
  for (const backend of values.backends.split(',')) {
    if (backend === 'postgres') postgres = await startPostgres();
    results[backend] = [];
    for (let i = 0; i < runs; i += 1) {
      let target = path.join(work, `history-${i}.db`);
      if (backend === 'postgres') {
        const admin = new pg.Client({ connectionString: postgres.url });
        await admin.connect();
        await admin.query(`CREATE DATABASE run_${i}`);
        await admin.end();
        target = postgres.url.replace(/\/postgres$/, `/run_${i}`);
      }
      const r = await oneRun(target);
      results[backend].push(r);
      console.log(
        `${backend} ${i + 1}/${runs}: killed with ${r.bookedAtKill}/${TASKS} booked, ` +
          `resumed exit ${r.resumeExit}, completed once ${r.accounting.completedOnce}/${TASKS}, ` +
          `lost ${r.accounting.lost}, booked ones run again ${r.redispatchedBooked}, ` +
          `rows twice ${r.executedTwice}: ${r.ok ? 'ok' : 'FAILED'}`,
      );
    }
  }
} finally {
  postgres?.stop();
  rmSync(work, { recursive: true, force: true });
}
const summary = Object.fromEntries(
  Object.entries(results).map(([b, rs]) => [b, { runs: rs.length, ok: rs.filter((r) => r.ok).length }]),
);
const out = values.out ?? path.join(root, 'tools/bench/results/coordinator-kill-runs.json');
const machine = `${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`;
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine, summary, results }, null, 2)}\n`);
console.log(JSON.stringify(summary), '->', out);
process.exit(Object.values(summary).every((s) => s.ok === s.runs) ? 0 : 1);
