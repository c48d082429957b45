#!/usr/bin/env node
// This repository's own tests through the fleet versus the way `npm test` runs them (each
// package's jest in its directory, as `nx test <pkg>` does): same per-test verdicts? wall times?
// Build first (npx nx build qe-fleet). Run: node tools/scripts/fleet-vs-npm-test.mjs
// [--packages resilience,telemetry] [--executors 4] [--out tools/bench/results/fleet-vs-npm-test.json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    packages: { type: 'string', default: 'resilience,telemetry' },
    executors: { type: 'string', default: '4' },
    out: { type: 'string' },
  },
});
const packages = values.packages.split(',');
const work = mkdtempSync(path.join(os.tmpdir(), 'fleet-vs-npm-'));
const jest = path.join(root, 'node_modules/jest/bin/jest.js');
const dirOf = (p) => (p === 'qe-fleet' ? `apps/${p}` : `packages/${p}`);
// A few test titles embed an error's inspect() output, stack trace included, which differs from
// one process to the next: compare on the title's first line.
const key = (id) => id.split('\n')[0];

// 1. As `npm test` (nx test) runs them: the package's jest, every file, in its directory.
const local = new Map();
let localMs = 0;
for (const p of packages) {
  const out = path.join(work, `${p}.json`);
  const started = Date.now();
  spawnSync(
    process.execPath,
    ['--experimental-vm-modules', jest, '--ci', '--coverage=false', '--json', `--outputFile=${out}`],
    { cwd: path.join(root, dirOf(p)), stdio: 'ignore' },
  );
  localMs += Date.now() - started;
  for (const file of JSON.parse(readFileSync(out, 'utf8')).testResults) {
    for (const a of file.assertionResults) {
      const id = key(`${path.relative(root, file.name)} > ${a.fullName}`);
      local.set(id, a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped');
    }
  }
}

// 2. Through the fleet: qe-fleet run --project . on the same packages' files.
const started = Date.now();
const fleet = spawnSync(
  process.execPath,
  [
    path.join(root, 'apps/qe-fleet/dist/main.js'),
    'run',
    '--project',
    root,
    '--executors',
    values.executors,
    '--no-history',
    '--json',
    '--progress',
    'none',
    '--out',
    path.join(work, 'fleet'),
    '--quarantine',
    path.join(work, 'quarantine.json'),
    ...packages.flatMap((p) => ['--files', `${dirOf(p)}/**`]),
  ],
  { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
);
const fleetMs = Date.now() - started;
const summary = JSON.parse(fleet.stdout);
rmSync(work, { recursive: true, force: true });
const remote = new Map(summary.verdicts.map((v) => [key(v.id), v.verdict === 'flaky' ? 'passed (flaky)' : v.verdict]));

const mismatches = [];
for (const id of new Set([...local.keys(), ...remote.keys()])) {
  const a = local.get(id);
  const b = remote.get(id);
  if (a !== b && !(a === 'passed' && b === 'passed (flaky)'))
    mismatches.push({ id, npmTest: a ?? 'absent', fleet: b ?? 'absent' });
}
const result = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`,
  packages,
  tests: { npmTest: local.size, fleet: remote.size },
  mismatches,
  flakyOnFleet: summary.verdicts.filter((v) => v.verdict === 'flaky').map((v) => v.id),
  wallSeconds: { npmTestSequential: localMs / 1000, fleet: fleetMs / 1000 },
  fleetExitCode: fleet.status,
  executors: Number(values.executors),
};
console.log(JSON.stringify(result, null, 2));
writeFileSync(
  values.out ?? path.join(root, 'tools/bench/results/fleet-vs-npm-test.json'),
  `${JSON.stringify(result, null, 2)}\n`,
);
process.exit(mismatches.length === 0 ? 0 : 1);
