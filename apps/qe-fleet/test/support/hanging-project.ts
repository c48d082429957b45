import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A node:test project: `quick` files that pass at once, and `hanging` files that, while the
 * project's `hang` marker exists, record their pid and the pid of a child they start (one that
 * ignores SIGTERM) in `pids/`, then wait for 10 minutes. Without the marker they pass at once.
 */
export async function writeHangingProject(dir: string, quick: number, hanging: number): Promise<string> {
  await mkdir(path.join(dir, 'test'), { recursive: true });
  await mkdir(path.join(dir, 'pids'), { recursive: true });
  await writeFile(path.join(dir, 'hang'), '');
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'hang', scripts: { test: 'node --test' } }));
  for (let i = 0; i < quick; i += 1)
    await writeFile(
      path.join(dir, 'test', `quick-${i}.test.mjs`),
      `import { test } from 'node:test';\ntest('quick ${i}', () => {});\n`,
    );
  const stubborn = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);";
  for (let i = 0; i < hanging; i += 1) {
    const pids = path.join(dir, 'pids', `hang-${i}.json`);
    await writeFile(
      path.join(dir, 'test', `hang-${i}.test.mjs`),
      "import { test } from 'node:test';\nimport { spawn } from 'node:child_process';\n" +
        "import { existsSync, writeFileSync } from 'node:fs';\n" +
        `test('hang ${i}', async () => {\n` +
        `  if (!existsSync(${JSON.stringify(path.join(dir, 'hang'))})) return;\n` +
        `  const child = spawn(process.execPath, ['-e', ${JSON.stringify(stubborn)}], { stdio: 'ignore' });\n` +
        `  writeFileSync(${JSON.stringify(pids)}, JSON.stringify([process.pid, child.pid]));\n` +
        '  await new Promise((r) => setTimeout(r, 600_000));\n' +
        '});\n',
    );
  }
  return dir;
}

/** The pids the hanging files recorded (test processes and the children they started). */
export function recordedPids(dir: string): number[] {
  const pids = path.join(dir, 'pids');
  return readdirSync(pids).flatMap((f) => JSON.parse(readFileSync(path.join(pids, f), 'utf8')) as number[]);
}

/** Whether a process is running (a zombie waiting for its reaper counts as gone). */
export function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return readFileSync(stat, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}
