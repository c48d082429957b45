#!/usr/bin/env node
// This repository's own tests through the fleet (`qe-fleet run --project .`) versus the way `npm test`
// runs them (each package's jest in its directory, as `nx test <pkg>` does): the same per-test
// verdicts and counts per package? wall times side by side? Build first (npx nx build qe-fleet).
// The fleet runs the files the root package.json lists in "qe-fleet": {"serial": [...]} alone (timing-bound
// tests), as npm test's jest runs every file of a package one at a time on 2 cores.
// Run: node tools/scripts/fleet-vs-npm-test.mjs [--packages all|resilience,telemetry] [--executors 4]
//   [--slots 2] [--timeout 7200] [--file-timeout 1800] [--out tools/bench/results/fleet-vs-npm-test.json]
//   [--side both|fleet|npm --side-out FILE] [--fleet-side FILE --npm-side FILE]
// --side runs one side only and saves it (the two can run at once, e.g. when time is short: each then
// shares the machine with the other); --fleet-side/--npm-side compare saved sides instead of running.
// `all` (the default) is the whole repository: every workspace package whose test script runs jest,
// and the fleet is given no --files, so it must discover exactly those packages' files itself.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// Shared with the CI-sized check, apps/qe-fleet/test/integration/repo-self-run.test.ts.
import {
  compareVerdicts,
  fleetVerdicts,
  jestPackages,
  runPackageJest,
} from '../../apps/qe-fleet/test/support/jest-verdicts.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    packages: { type: 'string', default: 'all' },
    executors: { type: 'string', default: '4' },
    slots: { type: 'string', default: '2' },
    // The whole repository takes 20+ minutes of files on a loaded 2-core machine; one file (alerts-e2e) 5+.
    timeout: { type: 'string', default: '7200' },
    'file-timeout': { type: 'string', default: '1800' },
    side: { type: 'string', default: 'both' },
    'side-out': { type: 'string' },
    'fleet-side': { type: 'string' },
    'npm-side': { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  // The usage is this file's opening comment.
  const text = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport ')[0];
  console.log(text.replace(/^#!.*\n/, '').replace(/^\/\/ ?/gm, ''));
  process.exit(0);
}
const manifest = (dir) => JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
const jestDirs = jestPackages(root);
const whole = values.packages === 'all';
const dirs = whole
  ? jestDirs
  : values.packages.split(',').map((p) => jestDirs.find((d) => d.endsWith(`/${p}`)) ?? `packages/${p}`);
const work = mkdtempSync(path.join(os.tmpdir(), 'fleet-vs-npm-'));
const packageOf = (id) => dirs.find((d) => id.startsWith(`${d}/`)) ?? '(other)';
// Timing-bound files the fleet runs alone (the root package.json's "qe-fleet": {"serial": [...]}).
const serial = manifest('.')['qe-fleet']?.serial ?? [];

// 1. Through the fleet: qe-fleet run --project . (the whole repository, or the packages' files).
const fleetArgs = [
  path.join(root, 'apps/qe-fleet/dist/main.js'),
  'run',
  '--project',
  root,
  '--executors',
  values.executors,
  '--slots',
  values.slots,
  '--timeout',
  values.timeout,
  '--file-timeout',
  values['file-timeout'],
  '--no-history',
  '--json',
  '--progress',
  'lines',
  '--out',
  path.join(work, 'fleet'),
  '--quarantine',
  path.join(work, 'quarantine.json'),
  ...(whole ? [] : dirs.flatMap((d) => ['--files', `${d}/**`])),
];
const readSide = (file) => JSON.parse(readFileSync(file, 'utf8'));
const saveSide = (side) => {
  writeFileSync(values['side-out'], `${JSON.stringify({ ...side, loads })}\n`);
  process.exit(0);
};
// The machine's 1-minute load every 30 s while this side runs (other work on the machine shows here).
const loads = [];
const sampler = setInterval(() => loads.push(Number(os.loadavg()[0].toFixed(1))), 30_000);
let started;
let fleetSide;
if (values['fleet-side'] !== undefined) fleetSide = readSide(values['fleet-side']);
else if (values.side !== 'npm') {
  started = Date.now();
  const run = spawn(process.execPath, fleetArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  run.stdout.on('data', (chunk) => (stdout += chunk));
  const status = await new Promise((resolve) => run.once('close', resolve));
  fleetSide = { summary: JSON.parse(stdout), status, ms: Date.now() - started, date: new Date(), loads };
  if (values.side === 'fleet') saveSide(fleetSide);
}

// 2. As `npm test` (nx test) runs them: the package's jest with its test script's node flags, every
// file, in its directory (coverage off: it changes no verdict).
let npmSide;
if (values['npm-side'] !== undefined) npmSide = readSide(values['npm-side']);
else {
  const verdicts = {};
  const seconds = {};
  for (const dir of dirs) {
    const run = await runPackageJest(root, dir, path.join(work, `${path.basename(dir)}.json`));
    seconds[dir] = run.seconds;
    Object.assign(verdicts, Object.fromEntries(run.verdicts));
  }
  npmSide = { verdicts, seconds, loads };
  if (values.side === 'npm') saveSide(npmSide);
}
clearInterval(sampler);
const local = new Map(Object.entries(npmSide.verdicts));
const npmSeconds = npmSide.seconds;
const summary = fleetSide.summary;
const remote = fleetVerdicts(summary);
const mismatches = compareVerdicts(local, remote);
const count = (map, dir) => {
  const c = { tests: 0, passed: 0, failed: 0, skipped: 0, flaky: 0 };
  for (const [id, verdict] of map) {
    if (packageOf(id) !== dir) continue;
    c.tests += 1;
    c[verdict === 'passed (flaky)' ? 'flaky' : verdict] += 1;
  }
  return c;
};
const loadRange = (l = []) =>
  l.length === 0 ? null : { min: Math.min(...l), max: Math.max(...l), mean: l.reduce((a, b) => a + b, 0) / l.length };
const npmTotal = Object.values(npmSeconds).reduce((a, b) => a + b, 0);
const result = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`,
  load: { fleetSide: loadRange(fleetSide.loads), npmTestSide: loadRange(npmSide.loads) },
  command:
    `node tools/scripts/fleet-vs-npm-test.mjs --packages ${values.packages} --executors ${values.executors} ` +
    `--slots ${values.slots}`,
  fleetCommand: `qe-fleet ${fleetArgs.slice(1).join(' ')}`.replaceAll(work, '$TMP').replaceAll(root, '.'),
  packages: Object.fromEntries(dirs.map((d) => [d, { npmTest: count(local, d), fleet: count(remote, d) }])),
  tests: { npmTest: local.size, fleet: remote.size },
  mismatches,
  flakyOnFleet: summary.verdicts.filter((v) => v.verdict === 'flaky').map((v) => v.id),
  wallSeconds: { npmTestSequential: npmTotal, npmTestPerPackage: npmSeconds, fleet: fleetSide.ms / 1000 },
  sidesRunAtOnce: values['fleet-side'] !== undefined && values['npm-side'] !== undefined,
  fleetExitCode: fleetSide.status,
  fleetFiles: summary.files,
  serialFiles: serial,
  executors: Number(values.executors),
  slots: Number(values.slots),
};
console.log(JSON.stringify(result, null, 2));
writeFileSync(
  values.out ?? path.join(root, 'tools/bench/results/fleet-vs-npm-test.json'),
  `${JSON.stringify(result, null, 2)}\n`,
);
if (mismatches.length === 0) rmSync(work, { recursive: true, force: true });
else console.error(`mismatches: fleet outputs kept in ${work}`);
process.exit(mismatches.length === 0 ? 0 : 1);
