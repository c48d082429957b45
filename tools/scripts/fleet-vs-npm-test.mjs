#!/usr/bin/env node
// This repository's own tests through the fleet (`qe-fleet run --project .`) versus the way `npm test`
// runs them (each package's jest in its directory, as `nx test <pkg>` does): the same per-test
// verdicts and counts per package? wall times side by side? Build first (npx nx build qe-fleet).
// Run: node tools/scripts/fleet-vs-npm-test.mjs [--packages all|resilience,telemetry] [--executors 4]
//   [--slots 2] [--timeout 7200] [--file-timeout 1800] [--out tools/bench/results/fleet-vs-npm-test.json]
//   [--side both|fleet|npm --side-out FILE] [--fleet-side FILE --npm-side FILE]
// --side runs one side only and saves it (the two can run at once, e.g. when time is short: each then
// shares the machine with the other); --fleet-side/--npm-side compare saved sides instead of running.
// `all` (the default) is the whole repository: every workspace package whose test script runs jest,
// and the fleet is given no --files, so it must discover exactly those packages' files itself.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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
  },
});
const manifest = (dir) => JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
// The packages `npm test` tests with jest: a workspace package whose test script runs jest.
const jestPackages = ['packages', 'apps']
  .flatMap((top) => spawnSync('ls', [path.join(root, top)], { encoding: 'utf8' }).stdout.split('\n'))
  .filter(Boolean)
  .map((name) => (existsSync(path.join(root, 'packages', name)) ? `packages/${name}` : `apps/${name}`))
  .filter((dir) => /\bjest\b/.test(manifest(dir).scripts?.test ?? ''));
const whole = values.packages === 'all';
const dirs = whole
  ? jestPackages
  : values.packages.split(',').map((p) => jestPackages.find((d) => d.endsWith(`/${p}`)) ?? `packages/${p}`);
const work = mkdtempSync(path.join(os.tmpdir(), 'fleet-vs-npm-'));
const jest = path.join(root, 'node_modules/jest/bin/jest.js');
// A few test titles embed an error's inspect() output, stack trace included, which differs from
// one process to the next: compare on the title's first line.
const key = (id) => id.split('\n')[0];
const packageOf = (id) => dirs.find((d) => id.startsWith(`${d}/`)) ?? '(other)';
const nodeFlags = (dir) => (/\bnode((?:\s+--[\w-]+)+)\s+\S*jest/.exec(manifest(dir).scripts.test)?.[1] ?? '').trim();

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
  writeFileSync(values['side-out'], `${JSON.stringify(side)}\n`);
  process.exit(0);
};
let started;
let fleetSide;
if (values['fleet-side'] !== undefined) fleetSide = readSide(values['fleet-side']);
else if (values.side !== 'npm') {
  started = Date.now();
  const run = spawnSync(process.execPath, fleetArgs, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  fleetSide = { summary: JSON.parse(run.stdout), status: run.status, ms: Date.now() - started, date: new Date() };
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
    const out = path.join(work, `${path.basename(dir)}.json`);
    started = Date.now();
    const flags = nodeFlags(dir).split(/\s+/).filter(Boolean);
    spawnSync(process.execPath, [...flags, jest, '--ci', '--coverage=false', '--json', `--outputFile=${out}`], {
      cwd: path.join(root, dir),
      stdio: 'ignore',
    });
    seconds[dir] = (Date.now() - started) / 1000;
    for (const file of JSON.parse(readFileSync(out, 'utf8')).testResults) {
      // A file that failed to run (no assertions): the fleet reports it as its file-level case.
      if (file.assertionResults.length === 0 && file.status === 'failed')
        verdicts[key(`${path.relative(root, file.name)} > (file)`)] = 'failed';
      for (const a of file.assertionResults) {
        const id = key(`${path.relative(root, file.name)} > ${a.fullName}`);
        verdicts[id] = a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped';
      }
    }
  }
  npmSide = { verdicts, seconds };
  if (values.side === 'npm') saveSide(npmSide);
}
const local = new Map(Object.entries(npmSide.verdicts));
const npmSeconds = npmSide.seconds;
const summary = fleetSide.summary;
const remote = new Map(summary.verdicts.map((v) => [key(v.id), v.verdict === 'flaky' ? 'passed (flaky)' : v.verdict]));

const same = (a, b) => a === b || (a === 'passed' && b === 'passed (flaky)');
let mismatches = [];
for (const id of new Set([...local.keys(), ...remote.keys()])) {
  const a = local.get(id);
  const b = remote.get(id);
  if (!same(a, b)) mismatches.push({ id, npmTest: a ?? 'absent', fleet: b ?? 'absent' });
}
// A few titles embed a random number (run-resume's kill point): pair a title present on one side
// only with the other side's title that differs only in its digits, and compare those verdicts.
const loose = (id) => id.replace(/\d+/g, '#');
const onlyFleet = mismatches.filter((m) => m.npmTest === 'absent');
const paired = new Set();
for (const m of mismatches.filter((x) => x.fleet === 'absent')) {
  const twin = onlyFleet.find((f) => !paired.has(f) && loose(f.id) === loose(m.id));
  if (twin === undefined) continue;
  paired.add(twin);
  paired.add(m);
  if (!same(m.npmTest, twin.fleet)) mismatches.push({ id: loose(m.id), npmTest: m.npmTest, fleet: twin.fleet });
}
mismatches = mismatches.filter((m) => !paired.has(m));
const count = (map, dir) => {
  const c = { tests: 0, passed: 0, failed: 0, skipped: 0, flaky: 0 };
  for (const [id, verdict] of map) {
    if (packageOf(id) !== dir) continue;
    c.tests += 1;
    c[verdict === 'passed (flaky)' ? 'flaky' : verdict] += 1;
  }
  return c;
};
const npmTotal = Object.values(npmSeconds).reduce((a, b) => a + b, 0);
const result = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`,
  command: `node tools/scripts/fleet-vs-npm-test.mjs --packages ${values.packages} --executors ${values.executors}`,
  fleetCommand: `qe-fleet ${fleetArgs.slice(1).join(' ')}`.replaceAll(work, '$TMP').replaceAll(root, '.'),
  packages: Object.fromEntries(dirs.map((d) => [d, { npmTest: count(local, d), fleet: count(remote, d) }])),
  tests: { npmTest: local.size, fleet: remote.size },
  mismatches,
  flakyOnFleet: summary.verdicts.filter((v) => v.verdict === 'flaky').map((v) => v.id),
  wallSeconds: { npmTestSequential: npmTotal, npmTestPerPackage: npmSeconds, fleet: fleetSide.ms / 1000 },
  sidesRunAtOnce: values['fleet-side'] !== undefined && values['npm-side'] !== undefined,
  fleetExitCode: fleetSide.status,
  fleetFiles: summary.files,
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
