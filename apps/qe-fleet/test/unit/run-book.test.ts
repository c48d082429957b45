import { describe, expect, it } from '@jest/globals';
import { InvalidFlagError } from '../../src/errors';
import { parseRunArgs } from '../../src/run/parse-run-args';
import { FILE_CASE, rerunsAfter } from '../../src/run/rerun-policy';
import { RunBook } from '../../src/run/run-book';
import { decideOutcome } from '../../src/run/run-outcome';
import type { FileExecution, FileTask } from '../../src/run/types';
import { buildVerdicts } from '../../src/run/verdicts';

const fileTask = (file: string): FileTask => ({ taskId: `${file}@1`, runner: 'jest', file, attempt: 1 });

describe('RunBook', () => {
  it('dispatches the longest recorded file first and books each task once', () => {
    const book = new RunBook();
    book.add(fileTask('short'), 10);
    book.add(fileTask('long'), 900);
    book.add(fileTask('middle'), 300);
    const order = [
      book.dispatchNext('e1', ['e1'], 0)!,
      book.dispatchNext('e1', ['e1'], 0)!,
      book.dispatchNext('e1', ['e1'], 0)!,
    ];
    expect(order.map((d) => d.taskId)).toEqual(['long@1', 'middle@1', 'short@1']);
    expect(book.dispatchNext('e1', ['e1'], 0)).toBeUndefined();
    for (const d of order) expect(book.book(d.dispatchId, d.taskId)).toBe('completed');
    expect(book.book(order[0]!.dispatchId, 'long@1')).toBe('duplicate');
    expect(book.book('nope#1', 'long@1')).toBe('phantom');
    expect(book.done).toBe(true);
    expect(book.accounting()).toMatchObject({ tasks: 3, completedOnce: 3, lost: 0, duplicates: 1, phantom: 1 });
  });

  it('sends a rerun to another healthy executor, and to the same one only when no other is healthy', () => {
    const book = new RunBook();
    book.add({ ...fileTask('f'), taskId: 'f::t@2', testName: 't', attempt: 2 }, 5, ['e1']);
    expect(book.dispatchNext('e1', ['e1', 'e2'], 0)).toBeUndefined();
    const onlyOne = new RunBook();
    onlyOne.add({ ...fileTask('f'), taskId: 'f::t@2', testName: 't', attempt: 2 }, 5, ['e1']);
    expect(onlyOne.dispatchNext('e1', ['e1'], 0)?.taskId).toBe('f::t@2');
    expect(book.dispatchNext('e2', ['e1', 'e2'], 0)?.taskId).toBe('f::t@2');
  });

  it('re-queues an abandoned dispatch, counts an unknown outcome, and books a late duplicate once', () => {
    const book = new RunBook();
    book.add(fileTask('f'), 5);
    const first = book.dispatchNext('dead', ['dead', 'e2'], 0)!;
    book.acknowledge(first.dispatchId);
    expect(book.live({ executor: 'dead' })).toHaveLength(1);
    expect(book.live({ sentBefore: 1 })).toHaveLength(1);
    expect(book.abandon(first.dispatchId)).toBe(true);
    expect(book.abandon(first.dispatchId)).toBe(false);
    expect(book.pending).toBe(1);
    const second = book.dispatchNext('e2', ['e2'], 1)!;
    expect(book.book(second.dispatchId, 'f@1')).toBe('completed');
    // The dead executor's result arrives after all: never counted twice.
    expect(book.book(first.dispatchId, 'f@1')).toBe('duplicate');
    expect(book.accounting()).toMatchObject({
      tasks: 1,
      dispatches: 2,
      completedOnce: 1,
      unknownOutcome: 1,
      duplicates: 1,
      lost: 0,
    });
  });

  it('restores booked tasks (resume) so they are never dispatched again', () => {
    const resumed = new RunBook();
    resumed.restoreCompleted(fileTask('f'), 1);
    resumed.add(fileTask('g'), 1);
    expect(resumed.completed).toBe(1);
    expect(resumed.dispatchNext('e', ['e'], 0)?.taskId).toBe('g@1');
    expect(resumed.dispatchNext('e', ['e'], 0)).toBeUndefined();
    expect(resumed.peek('g@1#1', 'g@1')).toBe('completed');
    expect(resumed.peek('nope', 'g@1')).toBe('phantom');
    expect(() => resumed.add(fileTask('g'), 1)).toThrow(/appears twice/);
  });
});

const exec = (
  taskId: string,
  executor: string,
  cases: FileExecution['cases'],
  error?: FileExecution['error'],
): FileExecution => ({ taskId, executor, durationMs: 10, cases, error });

describe('reruns and verdicts', () => {
  it('reruns each failed case alone up to the limit; a crashed file reruns whole', () => {
    const task = fileTask('f.test.js');
    const first = exec('f.test.js@1', 'e1', [
      { name: 'ok', outcome: 'passed', durationMs: 1 },
      { name: 'bad', outcome: 'failed', durationMs: 1, message: 'x' },
    ]);
    expect(rerunsAfter(task, first, 2)).toEqual([
      { taskId: 'f.test.js::bad@2', runner: 'jest', file: 'f.test.js', testName: 'bad', attempt: 2 },
    ]);
    expect(rerunsAfter({ ...task, attempt: 3, testName: 'bad' }, first, 2)).toEqual([]);
    expect(rerunsAfter(task, first, 0)).toEqual([]);
    const crashed = exec('f.test.js@1', 'e1', [], { code: 'ERR_RUNNER_CRASHED', message: 'boom' });
    expect(rerunsAfter(task, crashed, 1)).toEqual([
      { taskId: 'f.test.js@2', runner: 'jest', file: 'f.test.js', testName: undefined, attempt: 2 },
    ]);
    // A rerun that did not report its case at all is retried.
    expect(
      rerunsAfter({ ...task, taskId: 'f.test.js::gone@2', testName: 'gone', attempt: 2 }, exec('x', 'e2', []), 2),
    ).toHaveLength(1);
  });

  it('fail-then-pass is flaky, fail-fail is a real failure, a crashed-then-fine file is flaky', () => {
    const t = fileTask('f.test.js');
    const verdicts = buildVerdicts([
      {
        task: t,
        execution: exec('f.test.js@1', 'e1', [
          { name: 'a', outcome: 'failed', durationMs: 1, message: 'm' },
          { name: 'b', outcome: 'failed', durationMs: 1 },
          { name: 'c', outcome: 'passed', durationMs: 1 },
        ]),
      },
      {
        task: { ...t, taskId: 'a2', testName: 'a', attempt: 2 },
        execution: exec('a2', 'e2', [{ name: 'a', outcome: 'passed', durationMs: 1 }]),
      },
      {
        task: { ...t, taskId: 'b2', testName: 'b', attempt: 2 },
        execution: exec('b2', 'e2', [{ name: 'b', outcome: 'failed', durationMs: 1 }]),
      },
      {
        task: fileTask('g.test.js'),
        execution: exec('g@1', 'e1', [], { code: 'ERR_RUNNER_CRASHED', message: 'killed' }),
      },
      {
        task: { ...fileTask('g.test.js'), attempt: 2 },
        execution: exec('g@2', 'e2', [{ name: 'z', outcome: 'passed', durationMs: 1 }]),
      },
    ]);
    expect(Object.fromEntries(verdicts.map((v) => [v.id, v.verdict]))).toEqual({
      'f.test.js > a': 'flaky',
      'f.test.js > b': 'failed',
      'f.test.js > c': 'passed',
      [`g.test.js > ${FILE_CASE}`]: 'flaky',
      'g.test.js > z': 'passed',
    });
    expect(verdicts.find((v) => v.id === 'f.test.js > a')!.attempts.map((a) => a.executor)).toEqual(['e1', 'e2']);
  });
});

describe('decideOutcome', () => {
  const t = fileTask('f');
  const verdicts = buildVerdicts([
    {
      task: t,
      execution: exec('f@1', 'e1', [
        { name: 'flaky', outcome: 'failed', durationMs: 1 },
        { name: 'bug', outcome: 'failed', durationMs: 1 },
      ]),
    },
    {
      task: { ...t, testName: 'flaky', attempt: 2 },
      execution: exec('x', 'e2', [{ name: 'flaky', outcome: 'passed', durationMs: 1 }]),
    },
    {
      task: { ...t, testName: 'bug', attempt: 2 },
      execution: exec('y', 'e2', [{ name: 'bug', outcome: 'failed', durationMs: 1 }]),
    },
  ]);

  it('a real failure exits 1; known failures and flaky tests alone exit 0; --strict makes flaky fail', () => {
    expect(decideOutcome(verdicts, { runId: 'r' }).exitCode).toBe(1);
    const known = decideOutcome(verdicts, { runId: 'r', knownFailures: new Set(['f > bug']) });
    expect(known.exitCode).toBe(0);
    expect(known.knownFailures.map((v) => v.id)).toEqual(['f > bug']);
    expect(known.quarantine.tests.map((q) => q.id)).toEqual(['f > flaky']);
    expect(decideOutcome(verdicts, { runId: 'r', knownFailures: new Set(['f > bug']), strict: true }).exitCode).toBe(
      1,
    );
  });

  it('a failure quarantined by an earlier run does not fail the build, and the quarantine keeps it', () => {
    const previous = {
      version: 1 as const,
      tests: [{ id: 'f > bug', reason: 'flaky', since: '2026-01-01', runId: 'old' }],
    };
    const outcome = decideOutcome(verdicts, { runId: 'r', previousQuarantine: previous });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.quarantinedFailures.map((v) => v.id)).toEqual(['f > bug']);
    expect(outcome.quarantine.tests.map((q) => q.id)).toEqual(['f > bug', 'f > flaky']);
  });
});

describe('parseRunArgs', () => {
  it('reads the flags', () => {
    const a = parseRunArgs([
      '--project',
      'p',
      '--runner',
      'jest',
      '--runner=mocha',
      '--executors',
      '3',
      '--reruns',
      '1',
      '--strict',
      '--transport',
      'tcp',
    ]);
    expect(a).toMatchObject({
      projectDir: 'p',
      runners: ['jest', 'mocha'],
      executors: 3,
      reruns: 1,
      strict: true,
      transport: 'tcp',
    });
  });

  it.each([
    [['--runner', 'jest'], '--project'],
    [['--project', 'p', '--runner', 'ava'], '--runner'],
    [['--project', 'p', '--command', 'run tests'], '--command'],
    [['--project', 'p', '--command', 'run {file}'], '--junit'],
    [['--project', 'p', '--executors', '0'], '--executors'],
    [['--project', 'p', '--bogus'], '--bogus'],
  ])('%j is an InvalidFlagError naming %s', (argv, flag) => {
    expect(() => parseRunArgs(argv)).toThrow(InvalidFlagError);
    try {
      parseRunArgs(argv);
    } catch (error) {
      expect((error as InvalidFlagError).flag).toBe(flag);
    }
  });
});
