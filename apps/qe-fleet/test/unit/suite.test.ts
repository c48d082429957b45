import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { flakeFlaggerDirectory } from '@agentlink/learning';
import { InvalidOptionsError } from '@agentlink/resilience';
import { SuiteDataError } from '../../src/errors';
import { buildJestTasks, buildReplayTasks } from '../../src/suite/build-tasks';
import { loadFlakeFlaggerSuite, normaliseTestName, parseCsv } from '../../src/suite/flakeflagger-data';
import { createPrng, hashString, prngFor } from '../../src/suite/prng';
import { planReplayTiming, replayDurationMs, replayFails } from '../../src/suite/replay';
import { findRepoRoot, listJestTestFiles, readFlakeFlaggerSuite, resolveDataDir } from '../../src/suite/suite-files';
import { excludeSuite, sampleSuite } from '../../src/suite/suite-sampler';
import type { SuiteTest } from '../../src/suite/types';

const DATASET = [
  'test_name,flakyStatus,numAsserts,ExecutionTime',
  'pkg.a.testone,1,3,2.5',
  'pkg.a.testtwo,0,1,0.5',
  'pkg.b.testthree,0,2,1.0',
  'pkg.b.nohistory,0,2,1.0',
].join('\n');
const RESULTS = [
  'Project,Test,IsFlaky,NumFailingRuns,NumPassingRuns,FirstFailingRunID,FirstPassingRunID,UniqueFailingExceptionTypes',
  'p1,pkg.a.TestOne,1,250,9750,3,0,1',
  'p1,pkg.a.TestOne,1,250,9750,3,0,1',
  'p1,pkg.a.TestTwo,0,0,10000,-1,0,0',
  'p2,pkg.b.TestThree,0,10000,0,0,-1,1',
].join('\n');

function test(id: string, flaky: boolean, failRate: number, recordedMs = 100): SuiteTest {
  return { id, project: 'p', flaky, failRate, recordedMs, features: { f: 1 } };
}

describe('FlakeFlagger data', () => {
  it('joins features with rerun history and derives the failure rate from all recorded runs', () => {
    const suite = loadFlakeFlaggerSuite(DATASET, RESULTS);
    expect(suite.map((t) => t.id)).toEqual(['pkg.a.testone', 'pkg.a.testtwo', 'pkg.b.testthree']);
    expect(suite[0]).toEqual({
      id: 'pkg.a.testone',
      project: 'p1',
      flaky: true,
      failRate: 0.025,
      recordedMs: 2500,
      features: { numAsserts: 3, ExecutionTime: 2.5 },
    });
    expect(suite[2]!.failRate).toBe(1);
  });

  it('normalises JUnit names the way FlakeFlagger spells them', () => {
    expect(normaliseTestName('org.A.FooTest#testBar')).toBe('org.a.footest.testbar');
  });

  it('names the file and row of malformed data', () => {
    expect(() => parseCsv('a,b\n1', 'x.csv')).toThrow(/x.csv row 2 has 1 fields/);
    expect(() => parseCsv('a,b', 'x.csv')).toThrow(SuiteDataError);
    expect(() => loadFlakeFlaggerSuite(DATASET.replace('2.5', 'abc'), RESULTS)).toThrow(/not a number/);
    expect(() => loadFlakeFlaggerSuite(DATASET, RESULTS.replace('Project', 'Proj'))).toThrow(/lacks column "Project"/);
    expect(() =>
      loadFlakeFlaggerSuite(DATASET, RESULTS.split('\n').slice(0, 1).join('\n') + '\nx,y,0,0,1,0,0,0'),
    ).toThrow(/no test of the dataset/);
  });

  it('reads the real data set when it is present', async () => {
    const root = findRepoRoot(import.meta.dirname ?? process.cwd());
    expect(root).toBeDefined();
    const dir = path.join(root!, 'packages', 'learning', 'data', 'flakeflagger');
    if (!existsSync(path.join(dir, 'test_results.csv'))) return;
    // The copy @agentlink/learning ships (gzip, built with it) comes first; the repository's CSVs read the same.
    expect(resolveDataDir(undefined, root!)).toBe(flakeFlaggerDirectory());
    expect(resolveDataDir(undefined, root!)).toMatch(/dist[/\\]data[/\\]flakeflagger$/);
    expect(await readFlakeFlaggerSuite(flakeFlaggerDirectory())).toEqual(await readFlakeFlaggerSuite(dir));
    const all = await readFlakeFlaggerSuite(dir);
    expect(all.length).toBeGreaterThan(20_000);
    expect(all.filter((t) => t.flaky).length).toBeGreaterThan(700);
    expect(() => resolveDataDir('/nonexistent', root!)).toThrow(SuiteDataError);
  });
});

describe('seeded randomness', () => {
  it('repeats a sequence for the same seed and differs for another', () => {
    const a = createPrng(7);
    const b = createPrng(7);
    const values = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(values);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(prngFor(1, 't1', 1)()).not.toBe(prngFor(1, 't1', 2)());
    expect(hashString('abc')).toBe(hashString('abc'));
  });
});

describe('suite sampling', () => {
  const all = [
    ...Array.from({ length: 20 }, (_, i) => test(`flaky${i}`, true, 0.1)),
    ...Array.from({ length: 10 }, (_, i) => test(`broken${i}`, false, 1)),
    ...Array.from({ length: 200 }, (_, i) => test(`stable${i}`, false, 0)),
  ];

  it('over-represents flaky and always-failing tests, reproducibly', () => {
    const suite = sampleSuite(all, { size: 40, seed: 3 });
    expect(suite).toHaveLength(40);
    expect(suite.filter((t) => t.flaky)).toHaveLength(12);
    expect(suite.filter((t) => t.failRate >= 1)).toHaveLength(2);
    expect(new Set(suite.map((t) => t.id)).size).toBe(40);
    expect(sampleSuite(all, { size: 40, seed: 3 })).toEqual(suite);
    expect(sampleSuite(all, { size: 40, seed: 4 })).not.toEqual(suite);
    expect(excludeSuite(all, suite)).toHaveLength(all.length - 40);
  });

  it('rejects impossible sizes and shares', () => {
    expect(() => sampleSuite(all, { size: 0, seed: 1 })).toThrow(InvalidOptionsError);
    expect(() => sampleSuite(all, { size: 10_000, seed: 1 })).toThrow(InvalidOptionsError);
    expect(() => sampleSuite(all, { size: 5, seed: 1, flakyShare: 2 })).toThrow(InvalidOptionsError);
  });
});

describe('replay', () => {
  it('scales recorded times to the duration and caps the long tail', () => {
    const tests = [test('a', false, 0, 1_000), test('b', false, 0, 9_000)];
    // One slot, two tests: each may take half the run; b is capped, a's scale fills the rest.
    const timing = planReplayTiming(tests, { durationMs: 1_000, parallelism: 1 });
    expect(timing.timeScale).toBeCloseTo(0.5);
    expect(timing.maxTestMs).toBe(500);
    expect(replayDurationMs(tests[0]!, timing)).toBeCloseTo(500);
    expect(replayDurationMs(tests[1]!, timing)).toBe(500);
    expect(replayDurationMs(test('c', false, 0, 10), timing)).toBeCloseTo(5);
    expect(planReplayTiming([test('z', false, 0, 0)], { durationMs: 10, parallelism: 1 }).timeScale).toBe(0);
    expect(() => planReplayTiming(tests, { durationMs: 0, parallelism: 1 })).toThrow(InvalidOptionsError);
    expect(() => planReplayTiming(tests, { durationMs: 1, parallelism: 0 })).toThrow(InvalidOptionsError);
  });

  // Issue 16: --duration 420 ran 180 s because the per-test ceiling clipped long tests.
  it('fills the asked duration even when long tests hit the per-test ceiling', () => {
    const tests = [
      test('long', false, 0, 600),
      ...Array.from({ length: 40 }, (_, i) => test(`s${i}`, false, 0, 1 + (i % 5))),
    ];
    for (const durationMs of [2_000, 420_000]) {
      const timing = planReplayTiming(tests, { durationMs, parallelism: 4 });
      const work = tests.reduce((sum, t) => sum + replayDurationMs(t, timing), 0);
      expect(work / 4).toBeGreaterThan(durationMs * 0.99);
      expect(work / 4).toBeLessThan(durationMs * 1.01);
      expect(Math.max(...tests.map((t) => replayDurationMs(t, timing)))).toBeLessThanOrEqual(timing.maxTestMs);
    }
  });

  it('fails at the recorded rate, the same way for the same task and attempt', () => {
    const flaky = test('f', true, 0.3);
    const fails = Array.from({ length: 5_000 }, (_, i) => replayFails(flaky, 42, `t${i}`, 1)).filter(Boolean).length;
    expect(fails / 5_000).toBeGreaterThan(0.27);
    expect(fails / 5_000).toBeLessThan(0.33);
    expect(replayFails(flaky, 42, 't1', 1)).toBe(replayFails(flaky, 42, 't1', 1));
    expect(replayFails(test('s', false, 0), 1, 't', 1)).toBe(false);
    expect(replayFails(test('b', false, 1), 1, 't', 1)).toBe(true);
  });

  it('builds replay tasks with stable ids and jest command tasks per file', () => {
    const tasks = buildReplayTasks([test('a', false, 0), test('b', true, 0.5)], {
      seed: 1,
      durationMs: 100,
      parallelism: 1,
    });
    expect([...tasks.keys()]).toEqual(['t1', 't2']);
    expect(tasks.get('t2')).toMatchObject({ kind: 'replay', seed: 1, test: { id: 'b' } });
    const jest = buildJestTasks([{ packageDir: '/r/packages/x', file: 'test/a.test.ts' }], {
      nodePath: '/n',
      repoRoot: '/r',
      timeoutMs: 5,
    });
    expect(jest.get('j1')).toEqual({
      kind: 'command',
      timeoutMs: 5,
      test: {
        id: 'x/test/a.test.ts',
        cwd: '/r/packages/x',
        command: [
          '/n',
          '--experimental-vm-modules',
          '/r/node_modules/jest/bin/jest.js',
          '--coverage=false',
          '--runTestsByPath',
          'test/a.test.ts',
        ],
      },
    });
  });

  it("lists this repository's jest files, leaving excluded packages out", () => {
    const root = findRepoRoot(import.meta.dirname ?? process.cwd())!;
    const files = listJestTestFiles(root, ['qe-fleet']);
    expect(files.length).toBeGreaterThan(5);
    expect(files.every((f) => f.file.endsWith('.test.ts') && !f.packageDir.endsWith('qe-fleet'))).toBe(true);
    expect(listJestTestFiles('/nonexistent')).toEqual([]);
  });
});
