import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/run-cli';
import type { TestVerdict } from '../../src/run/verdicts';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let work: string;
async function project(name: string, manifest: object, files: Record<string, string> = {}): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(manifest));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

const PASSING = "import { test } from 'node:test';\ntest('passes', () => {});\n";
const NODE_JUNIT = `"${process.execPath}" --test --test-reporter=junit --test-reporter-destination={junit} {file}`;
const common = ['--executors', '2', '--no-history', '--progress', 'none', '--reruns', '1'];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qe-fleet-bad-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('qe-fleet run: bad input gives a typed error naming the thing', () => {
  it('a project with no test files: ERR_NO_TEST_FILES naming the project and runner, exit 2', async () => {
    const dir = await project('empty', { scripts: { test: 'node --test tests/' } }, { 'tests/README.md': 'none yet' });
    const result = await cli(['run', '--project', dir, ...common]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`ERR_NO_TEST_FILES: project ${dir}: node-test found no test files`);
  });

  it('a project without a known runner: ERR_NO_TEST_RUNNER; a missing directory: ERR_PROJECT_NOT_FOUND', async () => {
    const dir = await project('bare', { name: 'bare' });
    expect((await cli(['run', '--project', dir, ...common])).err).toContain(
      `ERR_NO_TEST_RUNNER: project ${dir}: no test runner found`,
    );
    const missing = path.join(work, 'nowhere');
    expect((await cli(['run', '--project', missing, ...common])).err).toContain(
      `ERR_PROJECT_NOT_FOUND: project ${missing}: not a directory`,
    );
  });

  it('a runner that is not installed: ERR_RUNNER_NOT_INSTALLED naming the runner', async () => {
    const dir = await project('nojest', { devDependencies: { jest: '*' } }, { 'a.test.js': '' });
    const result = await cli(['run', '--project', dir, ...common]);
    expect(result.err).toMatch(/ERR_RUNNER_NOT_INSTALLED: runner jest is not installed in /);
    expect(result.code).toBe(2);
  });

  it('a runner that crashes: the file fails with ERR_RUNNER_CRASHED naming it, rerun once, exit 1', async () => {
    const dir = await project('crash', {}, { 'a.test.js': PASSING });
    const result = await cli([
      'run',
      '--project',
      dir,
      '--command',
      'echo dying >&2; exit 3 # {file} {junit}',
      ...common,
      '--json',
    ]);
    expect(result.code).toBe(1);
    const { verdicts } = JSON.parse(result.out) as { verdicts: TestVerdict[] };
    expect(verdicts.map((v) => [v.id, v.verdict, v.attempts.length])).toEqual([['a.test.js > (file)', 'failed', 2]]);
    expect(verdicts[0]!.attempts[0]!.message).toMatch(
      /^ERR_RUNNER_CRASHED: runner crashed on a\.test\.js \(exit code 3\).*dying/s,
    );
  });

  it('malformed JUnit XML: the file fails with ERR_MALFORMED_JUNIT naming the XML file', async () => {
    const dir = await project('malformed', {}, { 'a.test.js': PASSING });
    const result = await cli([
      'run',
      '--project',
      dir,
      '--command',
      "printf '<testsuites><testcase' > {junit} # {file}",
      ...common,
      '--json',
    ]);
    expect(result.code).toBe(1);
    const { verdicts } = JSON.parse(result.out) as { verdicts: TestVerdict[] };
    expect(verdicts[0]!.attempts[0]!.message).toMatch(
      /^ERR_MALFORMED_JUNIT: JUnit XML \/.*junit\.xml: not well-formed XML/,
    );
  });

  it('the generic --command mode runs any command that writes JUnit XML, here node:test', async () => {
    const dir = await project('generic', {}, { 'a.test.mjs': PASSING, 'b.spec.mjs': PASSING, 'lib.mjs': '' });
    const result = await cli(['run', '--project', dir, '--command', NODE_JUNIT, ...common, '--json']);
    const { verdicts } = JSON.parse(result.out) as { verdicts: TestVerdict[] };
    expect(verdicts.map((v) => [v.id, v.verdict])).toEqual([
      ['a.test.mjs > passes', 'passed'],
      ['b.spec.mjs > passes', 'passed'],
    ]);
    expect(result.code).toBe(0);
  });
});
