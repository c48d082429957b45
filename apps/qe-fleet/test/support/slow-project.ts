import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A node:test project of `files` files, each taking about `ms` ms; every third file has a test
 * that fails on its first attempt only (AGENTLINK_ATTEMPT), so the run books reruns too.
 */
export async function writeSlowProject(dir: string, files: number, ms: number): Promise<string> {
  await mkdir(path.join(dir, 'test'), { recursive: true });
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'slow', scripts: { test: 'node --test test/' } }),
  );
  for (let i = 0; i < files; i += 1) {
    const flaky =
      i % 3 === 0
        ? "test('fails on the first attempt', () => { " +
          "if (process.env.AGENTLINK_ATTEMPT === '1') throw new Error('first'); });\n"
        : '';
    const waits = `test('waits', async () => { await new Promise((r) => setTimeout(r, ${ms})); });\n`;
    const body = `import { test } from 'node:test';\n${waits}${flaky}`;
    await writeFile(path.join(dir, 'test', `file-${String(i).padStart(2, '0')}.test.mjs`), body);
  }
  return dir;
}
