import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { globFiles, readManifest } from './project-files';

const CONFIGS = ['jest.config.js', 'jest.config.mjs', 'jest.config.cjs', 'jest.config.ts', 'jest.config.json'];

/** True when the directory configures jest itself (a jest.config.* or package.json's "jest"). */
export function hasJestConfig(dir: string): boolean {
  if (CONFIGS.some((c) => existsSync(path.join(dir, c)))) return true;
  const manifest = path.join(dir, 'package.json');
  return existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { jest?: unknown }).jest !== undefined;
}

/** The package's `test` script ("" when it has none). */
function testScript(packageDir: string): string {
  const manifest = path.join(packageDir, 'package.json');
  if (!existsSync(manifest)) return '';
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> }).scripts?.test ?? '';
}

/**
 * The workspace packages of a monorepo root that has no jest configuration of its own but whose
 * packages do, and whose `test` script runs jest: the ones `npm test` in each (or `nx test`) runs,
 * each in its own directory. A fixture with a jest config but no jest `test` script is left out.
 */
export async function jestWorkspaces(projectDir: string): Promise<string[]> {
  if (hasJestConfig(projectDir)) return [];
  const workspaces = (readManifest(projectDir) as { workspaces?: string[] | { packages?: string[] } }).workspaces;
  const patterns = Array.isArray(workspaces) ? workspaces : (workspaces?.packages ?? []);
  const manifests = await globFiles(
    projectDir,
    patterns.map((p) => `${p.replace(/\/$/, '')}/package.json`),
  );
  return manifests
    .map((m) => path.dirname(m))
    .filter((dir) => {
      const packageDir = path.join(projectDir, dir);
      return hasJestConfig(packageDir) && /\bjest\b/.test(testScript(packageDir));
    });
}

/** The jest package directory a file belongs to: its nearest ancestor (inside the project) with a jest config. */
export function jestRootOf(projectDir: string, file: string): string {
  for (let dir = path.dirname(file); dir !== '.' && dir !== '/' && dir !== ''; dir = path.dirname(dir)) {
    if (hasJestConfig(path.join(projectDir, dir))) return dir;
  }
  return '.';
}

/** Node flags the package's test script gives jest (e.g. --experimental-vm-modules for ESM). */
export function jestNodeFlags(packageDir: string): string[] {
  const match = /\bnode((?:\s+--[\w-]+(?:=\S+)?)+)\s+\S*jest/.exec(testScript(packageDir));
  return match === null ? [] : match[1]!.trim().split(/\s+/);
}
