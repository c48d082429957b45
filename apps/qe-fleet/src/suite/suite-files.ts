import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { flakeFlaggerDirectory, readDataFile } from '@agentlink/learning';
import { SuiteDataError } from '../errors';
import { loadFlakeFlaggerSuite } from './flakeflagger-data';
import type { SuiteTest } from './types';

export const DATASET_FILE = 'FlakeFlagger_filtered_dataset.csv';
export const RESULTS_FILE = 'test_results.csv';
const DATA_SUBDIR = path.join('packages', 'learning', 'data', 'flakeflagger');

/** Nearest ancestor of `start` holding `relative`, or undefined. */
function findUpwards(start: string, relative: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, relative))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The monorepo root above `start` (the directory with packages/ and apps/), or undefined. */
export function findRepoRoot(start: string): string | undefined {
  return findUpwards(start, path.join('apps', 'qe-fleet', 'package.json'));
}

/** `name` in `dir`, plain or gzip-compressed (`name.gz`, as @agentlink/learning ships it), or undefined. */
function dataFile(dir: string, name: string): string | undefined {
  return [name, `${name}.gz`].map((file) => path.join(dir, file)).find((file) => existsSync(file));
}

/**
 * The FlakeFlagger directory: the one given, else the copy @agentlink/learning ships (so an
 * installed qe-fleet needs no repository), else packages/learning/data/flakeflagger of the repo.
 */
export function resolveDataDir(explicit: string | undefined, start: string): string {
  const repoRoot = findRepoRoot(start);
  const candidates =
    explicit !== undefined
      ? [explicit]
      : [flakeFlaggerDirectory(), ...(repoRoot === undefined ? [] : [path.join(repoRoot, DATA_SUBDIR)])];
  for (const dir of candidates) {
    if (dataFile(dir, DATASET_FILE) !== undefined && dataFile(dir, RESULTS_FILE) !== undefined) return dir;
  }
  const searched = candidates.join(', ') || 'any parent directory';
  throw new SuiteDataError(`${DATASET_FILE} and ${RESULTS_FILE} not found in ${searched} (pass --data DIR)`);
}

/** Reads and joins both FlakeFlagger files. */
export async function readFlakeFlaggerSuite(dataDir: string): Promise<SuiteTest[]> {
  const read = (name: string): Promise<string> => readDataFile(dataFile(dataDir, name) ?? path.join(dataDir, name));
  const [dataset, results] = await Promise.all([read(DATASET_FILE), read(RESULTS_FILE)]);
  return loadFlakeFlaggerSuite(dataset, results);
}

/** Jest test files of the repo's packages, relative to their package: [packageDir, file]. */
export function listJestTestFiles(
  repoRoot: string,
  exclude: readonly string[] = [],
): Array<{ packageDir: string; file: string }> {
  const found: Array<{ packageDir: string; file: string }> = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = path.join(repoRoot, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir).sort()) {
      const packageDir = path.join(groupDir, name);
      if (exclude.includes(name) || !existsSync(path.join(packageDir, 'jest.config.mjs'))) continue;
      const walk = (dir: string): void => {
        if (!existsSync(dir)) return;
        for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory() && entry.name !== 'node_modules') walk(full);
          else if (entry.isFile() && entry.name.endsWith('.test.ts')) {
            found.push({ packageDir, file: path.relative(packageDir, full) });
          }
        }
      };
      walk(path.join(packageDir, 'test'));
    }
  }
  return found;
}
