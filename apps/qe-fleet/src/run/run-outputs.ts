import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidFlagError } from '../errors';
import type { QuarantineFile } from './run-outcome';

/** Writes a file atomically (temp file, then rename): a crash never leaves half a file. */
export async function writeAtomic(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, file);
}

/** Reads the quarantine file; absent means empty. */
export async function readQuarantine(file: string): Promise<QuarantineFile | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as QuarantineFile;
    if (parsed.version !== 1 || !Array.isArray(parsed.tests)) throw new Error('expected {"version":1,"tests":[...]}');
    return parsed;
  } catch (error) {
    throw new InvalidFlagError('--quarantine', `${file}: ${(error as Error).message}`);
  }
}

/** Reads a --known-failures file: a JSON array of test ids ("file > test name"), or {"tests": [...]}. */
export async function readKnownFailures(file: string): Promise<Set<string>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    const list = Array.isArray(parsed) ? parsed : (parsed as { tests?: unknown }).tests;
    if (
      !Array.isArray(list) ||
      !list.every((x) => typeof x === 'string' || typeof (x as { id?: unknown })?.id === 'string')
    ) {
      throw new Error('expected a JSON array of test ids, or {"tests": [{"id": ...}]}');
    }
    return new Set(list.map((x) => (typeof x === 'string' ? x : (x as { id: string }).id)));
  } catch (error) {
    throw new InvalidFlagError('--known-failures', `${file}: ${(error as Error).message}`);
  }
}
