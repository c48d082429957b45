import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A node:test project with a timing-bound file, `test/alone.test.mjs`, that fails when any other
 * file of the project runs while it does (each file marks itself in `running/` for `ms` ms), and
 * `busy` ordinary files. `serial` goes to package.json's "qe-fleet" settings.
 */
export async function writeSharedCpuProject(
  dir: string,
  options: { busy: number; ms: number; serial?: readonly string[] },
): Promise<string> {
  await mkdir(path.join(dir, 'test'), { recursive: true });
  await mkdir(path.join(dir, 'running'), { recursive: true });
  const manifest = {
    name: 'shared-cpu',
    scripts: { test: 'node --test test/' },
    ...(options.serial === undefined ? {} : { 'qe-fleet': { serial: options.serial } }),
  };
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(manifest));
  const header =
    "import { test } from 'node:test';\nimport assert from 'node:assert';\n" +
    "import { readdirSync, rmSync, writeFileSync } from 'node:fs';\n" +
    `const running = ${JSON.stringify(path.join(dir, 'running'))};\n` +
    'const sleep = (ms) => new Promise((r) => setTimeout(r, ms));\n';
  for (let i = 0; i < options.busy; i += 1) {
    const mark = path.join(dir, 'running', `busy-${i}`);
    await writeFile(
      path.join(dir, 'test', `busy-${i}.test.mjs`),
      `${header}test('busy ${i}', async () => {\n` +
        `  writeFileSync(${JSON.stringify(mark)}, '');\n` +
        `  try { await sleep(${options.ms}); } finally { rmSync(${JSON.stringify(mark)}, { force: true }); }\n` +
        '});\n',
    );
  }
  const mark = path.join(dir, 'running', 'alone');
  await writeFile(
    path.join(dir, 'test', 'alone.test.mjs'),
    `${header}test('has the machine to itself', async () => {\n` +
      `  writeFileSync(${JSON.stringify(mark)}, '');\n` +
      '  const seen = new Set();\n' +
      `  for (const end = Date.now() + ${options.ms}; Date.now() < end; await sleep(25))\n` +
      "    for (const name of readdirSync(running)) if (name !== 'alone') seen.add(name);\n" +
      `  rmSync(${JSON.stringify(mark)}, { force: true });\n` +
      "  assert.deepStrictEqual([...seen], [], 'ran beside ' + [...seen].join(', '));\n" +
      '});\n',
  );
  return dir;
}
