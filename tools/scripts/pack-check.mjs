#!/usr/bin/env node
// Packs every publishable package with `npm pack`, installs the tarballs into an empty
// temporary project and imports each public entry there, the way a user would. Also runs
// publint and are-the-types-wrong on each package. Exits non-zero when any check fails.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const packages = fs
  .readdirSync(path.join(root, 'packages'))
  .map((name) => path.join(root, 'packages', name))
  .filter((dir) => fs.existsSync(path.join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agentlink-pack-'));
const failures = [];
try {
  const tarballs = [];
  for (const { dir, manifest } of packages) {
    if (!fs.existsSync(path.join(dir, 'dist', 'index.js'))) {
      failures.push(`${manifest.name}: dist/index.js missing; build first (npx nx run-many -t build)`);
      continue;
    }
    for (const required of ['README.md', 'LICENSE']) {
      if (!fs.existsSync(path.join(dir, required))) failures.push(`${manifest.name}: ${required} missing`);
    }
    const lint = run(process.execPath, [path.join(root, 'node_modules/publint/src/cli.js'), '--strict', dir], root);
    if (/error|warning/i.test(lint.replace(/All good!/, ''))) failures.push(`${manifest.name}: publint:\n${lint}`);
    try {
      run(
        process.execPath,
        [
          path.join(root, 'node_modules/@arethetypeswrong/cli/dist/index.js'),
          '--pack',
          dir,
          '--profile',
          'esm-only',
          '--format',
          'ascii',
        ],
        root,
      );
    } catch (error) {
      failures.push(`${manifest.name}: are-the-types-wrong:\n${error.stdout}`);
    }
    const [packed] = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', work], dir));
    const files = packed.files.map((f) => f.path);
    const stray = files.filter((f) => /^(src|test)\//.test(f) || f.includes('.test.'));
    if (stray.length) failures.push(`${manifest.name}: tarball ships ${stray.join(', ')}`);
    tarballs.push({
      name: manifest.name,
      file: path.join(work, packed.filename),
      bins: Object.keys(manifest.bin ?? {}),
    });
    console.log(`packed ${packed.filename} (${packed.entryCount} files, ${packed.size} bytes)`);
  }

  const project = path.join(work, 'consumer');
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  run(
    npm,
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs.map((t) => t.file)],
    project,
  );

  const probe = tarballs
    .map(
      ({ name }) => `{
  const m = await import(${JSON.stringify(name)});
  const names = Object.keys(m);
  if (names.length === 0) throw new Error(${JSON.stringify(name)} + ' exports nothing');
  console.log(${JSON.stringify(name)} + ': ' + names.length + ' exports');
}`,
    )
    .join('\n');
  fs.writeFileSync(path.join(project, 'probe.mjs'), `${probe}\n`);
  process.stdout.write(run(process.execPath, ['probe.mjs'], project));
  for (const { name, bins } of tarballs) {
    for (const bin of bins) {
      if (!fs.existsSync(path.join(project, 'node_modules', '.bin', bin)))
        failures.push(`${name}: bin ${bin} not installed`);
    }
  }
} catch (error) {
  failures.push(String(error.stderr || error.stdout || error.message || error));
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`pack check failed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log(`pack check: ${packages.length} package(s) pack, install and import in an empty project`);
