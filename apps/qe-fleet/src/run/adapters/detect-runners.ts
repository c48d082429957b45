import type { RunnerAdapter, RunnerName } from '../types';
import { NoTestRunnerError } from '../run-errors';
import { commandAdapter, type CommandAdapterOptions } from './command-adapter';
import { jestAdapter } from './jest-adapter';
import { mochaAdapter } from './mocha-adapter';
import { NODE_TEST_SCRIPT, nodeTestAdapter } from './node-test-adapter';
import { readManifest } from './project-files';
import { vitestAdapter } from './vitest-adapter';

const BY_NAME: Record<Exclude<RunnerName, 'command'>, RunnerAdapter> = {
  jest: jestAdapter,
  vitest: vitestAdapter,
  mocha: mochaAdapter,
  'node-test': nodeTestAdapter,
};

export const RUNNER_NAMES = Object.keys(BY_NAME) as Array<Exclude<RunnerName, 'command'>>;

export interface RunnerChoice {
  /** Runners named with --runner; default: detect from package.json. */
  readonly runners?: readonly RunnerName[];
  /** Generic mode (--command/--junit/--files). */
  readonly command?: CommandAdapterOptions;
}

/** The adapter of a runner name (the command adapter needs its options). */
export function adapterFor(name: RunnerName, command?: CommandAdapterOptions): RunnerAdapter {
  if (name === 'command') {
    if (command === undefined) throw new NoTestRunnerError('(the command runner needs --command)');
    return commandAdapter(command);
  }
  return BY_NAME[name];
}

/** Runners a project uses: a dependency on jest/vitest/mocha, or a `node --test` script. */
export function detectRunnerNames(projectDir: string): Array<Exclude<RunnerName, 'command'>> {
  const manifest = readManifest(projectDir);
  const deps = { ...manifest.dependencies, ...manifest.devDependencies };
  const found = RUNNER_NAMES.filter((name) => name !== 'node-test' && deps[name] !== undefined);
  if (Object.values(manifest.scripts ?? {}).some((s) => NODE_TEST_SCRIPT.test(s))) found.push('node-test');
  return found;
}

/** The adapters to run: the generic command, the named runners, or the detected ones. */
export function chooseAdapters(projectDir: string, choice: RunnerChoice): RunnerAdapter[] {
  if (choice.command !== undefined) return [commandAdapter(choice.command)];
  const names = choice.runners ?? detectRunnerNames(projectDir);
  if (names.length === 0) throw new NoTestRunnerError(projectDir);
  return names.map((name) => adapterFor(name, choice.command));
}
