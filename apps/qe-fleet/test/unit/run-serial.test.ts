import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseRunArgs } from '../../src/run/parse-run-args';
import { rerunsAfter } from '../../src/run/rerun-policy';
import { RunBook } from '../../src/run/run-book';
import { ProjectConfigError } from '../../src/run/run-errors';
import { isSerialFile, serialGlobs } from '../../src/run/serial-files';
import type { FileTask } from '../../src/run/types';

const task = (file: string, serial = false): FileTask => ({
  taskId: `${file}@1`,
  runner: 'node-test',
  file,
  attempt: 1,
  ...(serial ? { serial: true } : {}),
});

describe('RunBook: serial tasks run alone', () => {
  it('sends a serial task first and nothing else while it runs, even to an idle executor', () => {
    const book = new RunBook();
    book.add(task('long'), 900);
    book.add(task('other'), 500);
    book.add(task('alone', true), 10);
    expect(book.serialPending).toBe(1);
    const first = book.dispatchNext('e1', ['e1', 'e2'], 0)!;
    expect(first.taskId).toBe('alone@1');
    expect(book.dispatchNext('e2', ['e1', 'e2'], 0)).toBeUndefined();
    expect(book.dispatchNext('e1', ['e1', 'e2'], 0)).toBeUndefined();
    book.book(first.dispatchId, first.taskId);
    // Then the others in parallel, longest first.
    expect(book.dispatchNext('e1', ['e1', 'e2'], 0)?.taskId).toBe('long@1');
    expect(book.dispatchNext('e2', ['e1', 'e2'], 0)?.taskId).toBe('other@1');
  });

  it('holds a serial task (a rerun arriving mid-run) until the fleet drains, and the others behind it', () => {
    const book = new RunBook();
    book.add(task('a'), 100);
    book.add(task('b'), 50);
    const running = book.dispatchNext('e1', ['e1', 'e2'], 0)!;
    book.add({ ...task('alone', true), taskId: 'alone::t@2', testName: 't', attempt: 2 }, 10, ['e1']);
    expect(book.dispatchNext('e2', ['e1', 'e2'], 0)).toBeUndefined();
    book.book(running.dispatchId, running.taskId);
    const alone = book.dispatchNext('e2', ['e1', 'e2'], 0)!;
    expect(alone.taskId).toBe('alone::t@2');
    expect(book.dispatchNext('e1', ['e1', 'e2'], 0)).toBeUndefined();
    // An abandoned serial dispatch (its executor died) frees the fleet again.
    book.abandon(alone.dispatchId);
    expect(book.dispatchNext('e1', ['e1'], 0)?.taskId).toBe('alone::t@2');
  });

  it("keeps a file's reruns serial, and leaves other tasks' reruns as they were", () => {
    const cases = [{ name: 't', outcome: 'failed' as const, durationMs: 1 }];
    const failed = { taskId: 'x', executor: 'e1', durationMs: 5, cases };
    expect(rerunsAfter(task('alone', true), failed, 2)).toEqual([
      expect.objectContaining({ serial: true, attempt: 2 }),
    ]);
    expect(rerunsAfter(task('free'), failed, 2)[0]).not.toHaveProperty('serial');
    const crashed = { ...failed, cases: [], error: { code: 'ERR_RUNNER_CRASHED', message: 'x' } };
    expect(rerunsAfter(task('alone', true), crashed, 2)[0]?.serial).toBe(true);
  });
});

describe('serial files: --serial and package.json "qe-fleet"', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'qe-fleet-serial-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const manifest = (settings: unknown): Promise<void> =>
    writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'p', 'qe-fleet': settings }));

  it('reads the project list and adds the flags; matches project-relative files', async () => {
    await manifest({ serial: ['test/integration/**', './test/slow.test.mjs'] });
    const globs = serialGlobs(dir, ['other/*.test.mjs']);
    expect(globs).toEqual(['test/integration/**', './test/slow.test.mjs', 'other/*.test.mjs']);
    expect(isSerialFile('test/integration/a.test.mjs', globs)).toBe(true);
    expect(isSerialFile('test/slow.test.mjs', globs)).toBe(true);
    expect(isSerialFile('other/b.test.mjs', globs)).toBe(true);
    expect(isSerialFile('test/unit/a.test.mjs', globs)).toBe(false);
    expect(parseRunArgs(['--project', '.', '--serial', 'a/**', '--serial=b']).serial).toEqual(['a/**', 'b']);
  });

  it('a bad "qe-fleet" value is ERR_PROJECT_CONFIG naming the file and the field', async () => {
    await manifest({ serial: 'test/**' });
    expect(() => serialGlobs(dir)).toThrow(ProjectConfigError);
    expect(() => serialGlobs(dir)).toThrow(`${path.join(dir, 'package.json')}: "qe-fleet.serial" must be an array`);
    await manifest(['x']);
    expect(() => serialGlobs(dir)).toThrow(/"qe-fleet" must be an object/);
    try {
      serialGlobs(dir);
    } catch (error) {
      expect((error as ProjectConfigError).code).toBe('ERR_PROJECT_CONFIG');
    }
  });
});
