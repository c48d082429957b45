#!/usr/bin/env node
// The README's test command: build, lint, type-check and test every project (or only the
// projects affected since NX_BASE when that commit exists), then the module-boundary probe,
// the file-size and line-length check, the 100,000-message stress run and the publish check
// (a real publish to a local Verdaccio).
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const targets = ['build', 'lint', 'typecheck', 'test'];
const base = process.env.NX_BASE;
const baseExists =
  base !== undefined &&
  base !== '' &&
  spawnSync('git', ['cat-file', '-e', `${base}^{commit}`], { stdio: 'ignore' }).status === 0;

const nxArgs = baseExists
  ? ['affected', '-t', ...targets, `--base=${base}`, `--head=${process.env.NX_HEAD ?? 'HEAD'}`]
  : ['run-many', '-t', ...targets];
console.log(
  baseExists ? `testing projects affected since ${base}` : 'no base commit (NX_BASE): testing every project',
);

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } });
try {
  run(process.execPath, ['node_modules/nx/dist/bin/nx.js', ...nxArgs, '--outputStyle=stream']);
  run(process.execPath, ['tools/scripts/check-boundaries.mjs']);
  run(process.execPath, ['tools/scripts/check-style.mjs']);
  // The CI-sized stress run: 100,000 messages per transport, failing on heap or handle growth.
  const stressOut = path.join(os.tmpdir(), `agentlink-stress-${process.pid}.json`);
  run(process.execPath, [
    '--expose-gc',
    '--import',
    'tsx',
    'tools/stress/message-stress.ts',
    '--messages',
    '100000',
    '--transport',
    'both',
    '--out',
    stressOut,
  ]);
  run(process.execPath, ['tools/scripts/publish-check.mjs']);
} catch (error) {
  process.exit(typeof error.status === 'number' ? error.status : 1);
}
