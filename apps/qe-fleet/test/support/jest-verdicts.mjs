// This repository's tests as `npm test` runs them (each package's jest in its directory, as
// `nx test` does) beside the same tests through the fleet: per-test verdicts from both, and the
// comparison. Shared by tools/scripts/fleet-vs-npm-test.mjs (the whole repository) and
// test/integration/repo-self-run.test.ts (a CI-sized slice); plain JS so the script runs it with
// node alone. Types: jest-verdicts.d.mts.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const manifest = (root, dir) => JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));

/** The packages `npm test` tests with jest: workspace packages whose test script runs jest. */
export function jestPackages(root) {
  return ['packages', 'apps']
    .flatMap((top) => readdirSync(path.join(root, top)).sort().map((name) => `${top}/${name}`))
    .filter((dir) => existsSync(path.join(root, dir, 'package.json')))
    .filter((dir) => /\bjest\b/.test(manifest(root, dir).scripts?.test ?? ''));
}

/** Node flags the package's test script gives jest (e.g. --experimental-vm-modules). */
export function jestNodeFlags(root, dir) {
  const script = manifest(root, dir).scripts?.test ?? '';
  return (/\bnode((?:\s+--[\w-]+)+)\s+\S*jest/.exec(script)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
}

// A few test titles embed an error's inspect() output, stack trace included, which differs from
// one process to the next: compare on the title's first line.
export const verdictKey = (id) => id.split('\n')[0];

/** Test id -> passed | failed | skipped from a jest --json report; a file that failed to run: its "(file)" case. */
export function verdictsFromJestReport(root, report) {
  const verdicts = new Map();
  for (const file of report.testResults) {
    const relative = path.relative(root, file.name);
    if (file.assertionResults.length === 0 && file.status === 'failed')
      verdicts.set(verdictKey(`${relative} > (file)`), 'failed');
    for (const a of file.assertionResults) {
      const status = a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped';
      verdicts.set(verdictKey(`${relative} > ${a.fullName}`), status);
    }
  }
  return verdicts;
}

/** Runs a package's jest as `npm test` does (coverage off: it changes no verdict); its verdicts and seconds. */
export async function runPackageJest(root, dir, outFile, files = []) {
  const started = Date.now();
  const jest = path.join(root, 'node_modules/jest/bin/jest.js');
  const args = [...jestNodeFlags(root, dir), jest, '--ci', '--coverage=false', '--json', `--outputFile=${outFile}`];
  const cwd = path.join(root, dir);
  const child = spawn(process.execPath, [...args, ...files.map((f) => path.relative(cwd, path.join(root, f)))], {
    cwd,
    stdio: 'ignore',
  });
  await new Promise((resolve) => child.once('close', resolve));
  const verdicts = verdictsFromJestReport(root, JSON.parse(readFileSync(outFile, 'utf8')));
  return { verdicts, seconds: (Date.now() - started) / 1000 };
}

/** Test id -> verdict from a `qe-fleet run --json` summary ("passed (flaky)" for a flaky pass). */
export function fleetVerdicts(summary) {
  const shown = (verdict) => (verdict === 'flaky' ? 'passed (flaky)' : verdict);
  return new Map(summary.verdicts.map((v) => [verdictKey(v.id), shown(v.verdict)]));
}

const same = (a, b) => a === b || (a === 'passed' && b === 'passed (flaky)');

/**
 * The tests whose verdicts differ (or that one side lacks). A few titles embed a random number
 * (run-resume's kill point): a title present on one side only is paired with the other side's
 * title that differs only in its digits, and those verdicts are compared.
 */
export function compareVerdicts(npmTest, fleet) {
  let mismatches = [];
  for (const id of new Set([...npmTest.keys(), ...fleet.keys()])) {
    const a = npmTest.get(id);
    const b = fleet.get(id);
    if (!same(a, b)) mismatches.push({ id, npmTest: a ?? 'absent', fleet: b ?? 'absent' });
  }
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
  return mismatches;
}
