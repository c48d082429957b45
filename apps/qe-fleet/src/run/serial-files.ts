import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ProjectConfigError } from './run-errors';

/**
 * The globs of test files that must run alone (timing-bound tests that fail when they share the
 * CPU): the project's package.json `"qe-fleet": { "serial": [GLOB, ...] }` plus `--serial GLOB`
 * flags, relative to the project directory. No other file runs on the fleet while such a file
 * runs (the fleet's executors usually share a machine, so "alone on its executor" is not enough).
 */
export function serialGlobs(projectDir: string, flags: readonly string[] = []): string[] {
  const file = path.join(projectDir, 'package.json');
  if (!existsSync(file)) return [...flags];
  let settings: unknown;
  try {
    settings = (JSON.parse(readFileSync(file, 'utf8')) as { 'qe-fleet'?: unknown })['qe-fleet'];
  } catch {
    return [...flags]; // planRun's manifest reader reports invalid JSON with its own typed error.
  }
  if (settings === undefined) return [...flags];
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings))
    throw new ProjectConfigError(file, 'qe-fleet', `must be an object, got ${JSON.stringify(settings)}`);
  const serial = (settings as { serial?: unknown }).serial;
  if (serial === undefined) return [...flags];
  if (!Array.isArray(serial) || serial.some((g) => typeof g !== 'string' || g === ''))
    throw new ProjectConfigError(file, 'qe-fleet.serial', `must be an array of globs, got ${JSON.stringify(serial)}`);
  return [...(serial as string[]), ...flags];
}

/** Whether a project-relative file matches one of the serial globs. */
export function isSerialFile(file: string, globs: readonly string[]): boolean {
  return globs.some((glob) => path.matchesGlob(file, glob.replace(/^\.\//, '')));
}
