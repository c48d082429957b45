import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createRunProgress } from '../../src/run/run-progress';
import type { FileExecution, FileTask } from '../../src/run/types';

const task = (attempt: number, testName?: string): FileTask => ({
  taskId: `f@${attempt}`,
  runner: 'jest',
  file: 'f.test.js',
  attempt,
  testName,
});
const exec = (failed: boolean): FileExecution => ({
  taskId: 'x',
  executor: 'executor-1',
  durationMs: 5,
  cases: [{ name: 't', outcome: failed ? 'failed' : 'passed', durationMs: 5 }],
});

describe('run progress', () => {
  it('plain lines: done/total, failures and flaky so far, ETA from the rate so far', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = createRunProgress({ mode: 'lines', line: (l) => lines.push(l), now: () => now });
    now = 1_000;
    progress.update(task(1), exec(true), 1, 3);
    now = 2_000;
    progress.update(task(2, 't'), exec(false), 2, 3);
    progress.stop();
    expect(lines).toEqual([
      '1/3 f.test.js on executor-1: 1 failed; failures 1, flaky 0, ETA 2 s',
      '2/3 f.test.js > t (rerun 1) on executor-1: ok; failures 1, flaky 1, ETA 1 s',
    ]);
  });

  it('a bar on a terminal (auto), nothing with none', () => {
    let written = '';
    const tty = Object.assign(new Writable({ write: (chunk, _enc, done) => ((written += String(chunk)), done()) }), {
      isTTY: true,
      columns: 120,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    }) as unknown as NodeJS.WriteStream;
    const bar = createRunProgress({ mode: 'auto', line: () => undefined, stream: tty });
    bar.update(task(1), exec(true), 1, 2);
    bar.update(task(2, 't'), exec(false), 2, 2);
    bar.stop();
    expect(written).toMatch(/2\/2 tasks \| failures 1 \| flaky 1 \| ETA 0 s/);
    const lines: string[] = [];
    const none = createRunProgress({ mode: 'none', line: (l) => lines.push(l) });
    none.update(task(1), exec(true), 1, 1);
    none.stop();
    expect(lines).toEqual([]);
  });
});
