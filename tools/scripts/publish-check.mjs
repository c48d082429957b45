#!/usr/bin/env node
// The publish check, last step of `npm test`: publint and are-the-types-wrong on every package,
// then a real publish with `nx release publish` to a Verdaccio registry started here on
// 127.0.0.1, then each package installed ALONE from that registry into an empty project (on
// Node 24, and on Node 22 for the libraries), imported, its bins run with --help and its README
// examples run (and, for the transport, issue 13's QUIC check against the pristine published
// @matrixai/quic); then the app through npx, and a model trained, then loaded in new processes;
// finally all packages in one project: declaration maps into the shipped src/, tsc on a file
// importing every export, "go to definition" landing in TypeScript source.
// Prints each tarball's size; exits non-zero when anything fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkApp } from './publish/app-check.mjs';
import { createConsumer, describeFailure, findNpmCli, runtime } from './publish/consumer.mjs';
import { ensureNode22 } from './publish/node22.mjs';
import { checkPristineQuic } from './publish/quic-check.mjs';
import { agentlinkImports, extractExamples } from './publish/readme-examples.mjs';
import { readmeLinkProblems } from './publish/readme-links.mjs';
import { checkConsumerTypes, declarationMapProblems } from './publish/types-check.mjs';
import { startRegistry } from './publish/verdaccio.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_LEARNING_TARBALL = 5 * 1024 * 1024;
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
const since = (began) => ((Date.now() - began) / 1000).toFixed(1);
const step = (text) => console.log(`\n== publish check: ${text} (${seconds()} s)`);
const failures = [];
const fail = (what, error) => {
  failures.push(`${what}:\n${typeof error === 'string' ? error : describeFailure(error)}`);
  console.log(`FAIL ${what}`);
};

if (Number(process.versions.node.split('.')[0]) !== 24) {
  console.error(
    `publish check: runs on Node 24 (the node@24 devDependency; use npm test or npx), not ${process.version}`,
  );
  process.exit(1);
}

const projects = ['packages', 'apps']
  .flatMap((parent) => fs.readdirSync(path.join(root, parent)).map((name) => path.join(root, parent, name)))
  .filter((dir) => fs.existsSync(path.join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private)
  .map((p) => ({
    ...p,
    name: p.manifest.name,
    version: p.manifest.version,
    isApp: p.dir.includes(`${path.sep}apps${path.sep}`),
  }));

const npmCli = findNpmCli();
const node24 = runtime(process.execPath, npmCli);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agentlink-publish-'));
let registry;
try {
  step(`publint, are-the-types-wrong and tarball contents of ${projects.length} packages`);
  for (const { dir, name, isApp } of projects) {
    for (const required of ['README.md', 'LICENSE', 'dist/index.js']) {
      if (!fs.existsSync(path.join(dir, required)))
        fail(`${name}: ${required} missing${required.startsWith('dist') ? ' (build first)' : ''}`, '');
    }
    try {
      const lint = node24.run([path.join(root, 'node_modules/publint/src/cli.js'), '--strict', dir], root);
      if (/error|warning|suggestion/i.test(lint.replace(/All good!/, ''))) fail(`${name}: publint`, lint);
    } catch (error) {
      fail(`${name}: publint`, error);
    }
    if (!isApp || fs.existsSync(path.join(dir, 'dist/index.d.ts'))) {
      try {
        node24.run(
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
        fail(`${name}: are-the-types-wrong`, error);
      }
    }
    const [packed] = JSON.parse(node24.npm(['pack', '--dry-run', '--json', '--loglevel=error'], dir));
    const files = packed.files.map((f) => f.path);
    // src/ ships for the declaration maps (go to definition lands in it); tests never do.
    const stray = files.filter((f) => /^test\//.test(f) || /\.test\.(ts|js|mjs|cjs)$/.test(f));
    if (!files.includes('dist/index.d.ts.map') || !files.includes('src/index.ts'))
      fail(`${name}: the tarball lacks dist/index.d.ts.map or src/index.ts`, '');
    if (stray.length > 0) fail(`${name}: the tarball ships ${stray.join(', ')}`, '');
    const links = readmeLinkProblems(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), files, root);
    if (links.length > 0) fail(`${name}: README links`, links.join('\n'));
    const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
    console.log(
      `tarball ${name}@${packed.version}: ${kib(packed.size)} packed, ` +
        `${kib(packed.unpackedSize)} unpacked, ${packed.entryCount} files`,
    );
    if (name === '@agentlink/learning' && packed.size >= MAX_LEARNING_TARBALL)
      fail(`${name}: tarball ${packed.size} bytes, over the 5 MB limit`, '');
  }

  step('starting Verdaccio on 127.0.0.1');
  registry = await startRegistry(path.join(work, 'registry'));
  console.log(`registry ${registry.url}`);

  step('nx release publish to it');
  const withRegistry = runtime(process.execPath, npmCli, registry.npmrc);
  try {
    const out = withRegistry.run(
      [
        path.join(root, 'node_modules/nx/dist/bin/nx.js'),
        'release',
        'publish',
        `--registry=${registry.url}`,
        '--first-release',
      ],
      root,
      600_000,
    );
    console.log(
      out
        .split('\n')
        .filter((l) => /Successfully ran|published|\+ @agentlink/i.test(l))
        .join('\n'),
    );
  } catch (error) {
    throw new Error(`nx release publish failed:\n${describeFailure(error)}`);
  }
  for (const { name, version } of projects) {
    const response = await fetch(`${registry.url}${name.replace('/', '%2f')}`);
    const packument = response.ok ? await response.json() : undefined;
    if (packument?.versions?.[version] === undefined)
      fail(`${name}@${version} is not on the registry after publishing (HTTP ${response.status})`, '');
  }
  const runtimes = [withRegistry];
  const node22 = ensureNode22(path.join(root, 'node_modules', '.cache', 'agentlink-node22'), (args, cwd) =>
    node24.npm(args, cwd),
  );
  if (node22.skip) console.log(`SKIP Node 22: ${node22.skip}`);
  else runtimes.push(runtime(node22.binary, npmCli, registry.npmrc));

  for (const rt of runtimes) {
    for (const project of projects.filter((p) => !p.isApp)) {
      step(
        `${project.name}: install alone from the registry, import` +
          `${rt.major === 24 ? ', bins and README examples' : ' and bins'} on Node ${rt.major}`,
      );
      checkLibrary(project, rt);
    }
  }
  step('@agentlink/qe-fleet: install alone, npx, train and load a model in new processes (Node 24)');
  checkApp(
    projects.find((p) => p.isApp),
    runtimes[0],
    path.join(work, 'app'),
    fail,
  );
  step('all packages in one project: declaration maps, tsc on every export, go to definition (Node 24)');
  checkTypes(runtimes[0], path.join(work, 'app'));
} catch (error) {
  fail('publish check', error instanceof Error && !('stderr' in error) ? error.message : error);
} finally {
  await registry?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}

/**
 * Installs one library alone into an empty project, imports it, runs its bins and (Node 24) its
 * README examples and examples/ programs.
 */
function checkLibrary({ dir, name, version, manifest }, rt) {
  const consumer = createConsumer(path.join(work, `${name.split('/')[1]}-node${rt.major}`));
  try {
    rt.npm(['install', '--loglevel=error', `${name}@${version}`], consumer);
  } catch (error) {
    return fail(`${name}: npm install from the registry alone on Node ${rt.major}`, error);
  }
  try {
    const probe =
      `const m = await import(${JSON.stringify(name)}); ` +
      `if (Object.keys(m).length === 0) throw new Error('no exports'); console.log(Object.keys(m).length);`;
    const count = rt.run(['--input-type=module', '-e', probe], consumer).trim();
    console.log(`${name}: ${count} exports on Node ${rt.major}`);
  } catch (error) {
    fail(`${name}: import on Node ${rt.major}`, error);
  }
  for (const bin of Object.keys(manifest.bin ?? {})) {
    try {
      rt.run([path.join(consumer, 'node_modules', '.bin', bin), '--help'], consumer);
      console.log(`${name}: ${bin} --help exits 0`);
    } catch (error) {
      fail(`${name}: ${bin} --help on Node ${rt.major}`, error);
    }
  }
  if (rt.major !== 24) return;
  const { examples, skipped } = extractExamples(
    fs.readFileSync(path.join(dir, 'README.md'), 'utf8'),
    `${name}/README.md`,
  );
  // The README links each package's examples/ (complete programs): they run here too.
  const programs = fs.existsSync(path.join(dir, 'examples')) ? fs.readdirSync(path.join(dir, 'examples')) : [];
  const runnable = [
    ...examples.map((e) => ({
      what: `README example at line ${e.line}`,
      file: `readme-example-${e.line}.${e.typescript ? 'ts' : 'mjs'}`,
      code: e.code,
    })),
    ...programs
      .filter((f) => /\.(mjs|ts)$/.test(f))
      .map((f) => ({
        what: `examples/${f}`,
        file: `example-${f}`,
        code: fs.readFileSync(path.join(dir, 'examples', f), 'utf8'),
      })),
  ];
  const extra = [...new Set(runnable.flatMap((e) => agentlinkImports(e.code)))].filter((n) => n !== name);
  if (extra.length > 0) rt.npm(['install', '--loglevel=error', ...extra.map((n) => `${n}@${version}`)], consumer);
  for (const { what, file, code } of runnable) {
    fs.writeFileSync(path.join(consumer, file), `${code}\n`);
    const began = Date.now();
    try {
      rt.run([path.join(consumer, file)], consumer);
      console.log(`${name}: ${what} ran (${((Date.now() - began) / 1000).toFixed(1)} s)`);
    } catch (error) {
      fail(`${name}: ${what}`, error);
    }
  }
  if (name === '@agentlink/transport') {
    const began = Date.now();
    try {
      console.log(checkPristineQuic(consumer, rt).trim());
      console.log(
        `${name}: QUIC on the pristine published @matrixai/quic passed (${since(began)} s)`,
      );
    } catch (error) {
      fail(`${name}: QUIC on the pristine published @matrixai/quic (issue 13)`, error);
    }
  }
  if (skipped.length > 0)
    console.log(
      `${name}: ${skipped.length} API signature block(s) not run (lines ${skipped.map((s) => s.line).join(', ')})`,
    );
}

/** Installs every package (and @types/node) into `consumer`, then checks what a TypeScript user gets. */
function checkTypes(rt, consumer) {
  const typesNode = JSON.parse(
    fs.readFileSync(path.join(root, 'node_modules/@types/node/package.json'), 'utf8'),
  ).version;
  if (!fs.existsSync(path.join(consumer, 'package.json'))) createConsumer(consumer);
  try {
    const began = Date.now();
    rt.npm(
      ['install', '--loglevel=error', `@types/node@${typesNode}`, ...projects.map((p) => `${p.name}@${p.version}`)],
      consumer,
    );
    console.log(
      `all packages and @types/node installed in one project (${((Date.now() - began) / 1000).toFixed(1)} s)`,
    );
  } catch (error) {
    return fail('all packages and @types/node: npm install from the registry', error);
  }
  const exportsByPackage = {};
  for (const { name } of projects) {
    const { problems, maps } = declarationMapProblems(path.join(consumer, 'node_modules', name), root);
    if (problems.length > 0) fail(`${name}: declaration maps`, problems.join('\n'));
    else console.log(`${name}: ${maps} declaration maps, every source inside the package`);
    const probe = `const m = await import(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m)));`;
    exportsByPackage[name] = JSON.parse(rt.run(['--input-type=module', '-e', probe], consumer));
  }
  const began = Date.now();
  const { errors, definitions } = checkConsumerTypes(consumer, exportsByPackage);
  if (errors.length > 0) fail('types of the installed packages', errors.join('\n'));
  else
    console.log(
      `tsc --noEmit passed and ${definitions} exports go to their TypeScript source (${since(began)} s)`,
    );
}

console.log(`\npublish check: ${seconds()} s`);
if (failures.length > 0) {
  console.error(`publish check failed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log(`publish check: ${projects.length} packages published to Verdaccio, installed alone and run`);
