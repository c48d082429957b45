import path from 'node:path';
import type { ReportSubmission } from '../agents/reporter-agent';
import type { TaskSpec } from '../messaging/protocol';
import { buildJestTasks, buildReplayTasks } from '../suite/build-tasks';
import { findRepoRoot, listJestTestFiles, readFlakeFlaggerSuite, resolveDataDir } from '../suite/suite-files';
import { excludeSuite, sampleSuite } from '../suite/suite-sampler';
import type { SuiteTest } from '../suite/types';
import { SuiteDataError } from '../errors';
import type { FleetOptions } from './fleet-options';

/** Slots per executor (tasks run at once). */
export const EXECUTOR_SLOTS = 4;

/** The work of one run and the data the analyser learns from. */
export interface PreparedRun {
  readonly tasks: Map<string, TaskSpec>;
  /** What the reporter needs about each task (truth, features). */
  readonly reportTests: ReportSubmission['tests'];
  /** FlakeFlagger tests not in the suite: the model's training data (held-out evaluation on the suite). */
  readonly trainingSet: readonly SuiteTest[];
  readonly dataDir: string;
}

/** Loads FlakeFlagger, samples the suite and builds the tasks (or the jest command tasks). */
export async function prepareRun(options: FleetOptions, executors: number, start: string): Promise<PreparedRun> {
  const dataDir = resolveDataDir(options.dataDir, start);
  const all = await readFlakeFlaggerSuite(dataDir);
  if (options.suite === 'jest') {
    const root = findRepoRoot(start);
    if (root === undefined) throw new SuiteDataError('--suite jest needs the agentlink repository around the app');
    const files = listJestTestFiles(root, ['qe-fleet']).filter(
      (f) => options.suiteFilter === undefined || path.join(f.packageDir, f.file).includes(options.suiteFilter),
    );
    if (files.length === 0) {
      throw new SuiteDataError(`no jest test file matches --suite-filter "${options.suiteFilter ?? ''}"`);
    }
    const tasks = buildJestTasks(files, {
      nodePath: process.execPath,
      repoRoot: root,
      timeoutMs: options.timeoutS * 1000,
    });
    const reportTests = [...tasks].map(([taskId, spec]) => ({ taskId, testId: spec.test.id, flaky: false }));
    return { tasks, reportTests, trainingSet: all, dataDir };
  }
  const suite = sampleSuite(all, { size: options.suiteSize, seed: options.seed });
  const tasks = buildReplayTasks(suite, {
    seed: options.seed,
    durationMs: options.durationS * 1000,
    parallelism: executors * EXECUTOR_SLOTS,
  });
  const reportTests = [...tasks].map(([taskId, spec]) => {
    const test = spec.test as SuiteTest;
    return { taskId, testId: test.id, flaky: test.flaky, features: test.features };
  });
  return { tasks, reportTests, trainingSet: excludeSuite(all, suite), dataDir: path.resolve(dataDir) };
}
