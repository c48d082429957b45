import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import path from 'node:path';
import { ProjectNotFoundError, RunnerNotInstalledError } from '../run-errors';

/** The fields of a package.json the adapters read. */
export interface ProjectManifest {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly scripts?: Record<string, string>;
}

/** Reads the project's package.json (typed error when it is missing or not JSON). */
export function readManifest(projectDir: string): ProjectManifest {
  const file = path.join(projectDir, 'package.json');
  if (!existsSync(file)) throw new ProjectNotFoundError(projectDir, 'no package.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProjectManifest;
  } catch (error) {
    throw new ProjectNotFoundError(projectDir, `package.json is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * The JS file of a package's bin, looked up in node_modules from the project upwards (as npm
 * would), run with this Node so every runner gets the same, known version.
 */
export function resolveBin(projectDir: string, pkg: string, bin: string, runner: string): string {
  for (let dir = path.resolve(projectDir); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'node_modules', pkg, 'package.json');
    if (existsSync(manifest)) {
      const json = JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> };
      const relative = typeof json.bin === 'string' ? json.bin : json.bin?.[bin];
      if (relative !== undefined) return path.join(path.dirname(manifest), relative);
    }
    if (path.dirname(dir) === dir) throw new RunnerNotInstalledError(runner, projectDir);
  }
}

/** Files matching the globs under the project, relative with forward slashes, node_modules excluded. */
export async function globFiles(projectDir: string, patterns: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    const clean = pattern.replace(/^\.\//, '');
    for await (const file of glob(clean, {
      cwd: projectDir,
      exclude: (name) => name === 'node_modules' || name.startsWith('.git'),
    })) {
      found.add(file.split(path.sep).join('/'));
    }
  }
  return [...found].sort();
}

/** Runs a listing command (e.g. `jest --listTests --json`) and resolves with its stdout. */
export function captureStdout(
  argv: readonly string[],
  cwd: string,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4_000)));
    child.once('error', (error) => resolve({ code: -1, stdout, stderr: error.message }));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Absolute paths from a runner's listing, relative to the project and sorted. */
export function relativeFiles(projectDir: string, absolute: readonly string[]): string[] {
  return absolute.map((file) => path.relative(projectDir, file).split(path.sep).join('/')).sort();
}

/** A case-name filter that matches the whole name at its end, for the runners' regex filters. */
export function nameFilter(testName: string): string {
  return `${testName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}
