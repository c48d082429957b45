import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/** cgroup v1 reports "no limit" as a number near 2^63 rounded to the page size. */
const CGROUP_V1_UNLIMITED = 2 ** 62;

const CGROUP_FILES = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];

/** Reads a file's text, or undefined when it does not exist or cannot be read. */
export type TextFileReader = (path: string) => string | undefined;

const readTextFile: TextFileReader = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * Memory this process may use, in bytes: the container's cgroup limit when one is set (v2 then
 * v1), never more than the machine's total memory.
 */
export function detectMemoryLimitBytes(read: TextFileReader = readTextFile, machineBytes = totalmem()): number {
  for (const file of CGROUP_FILES) {
    const text = read(file)?.trim();
    if (text === undefined || text === '' || text === 'max') continue;
    const bytes = Number(text);
    if (Number.isFinite(bytes) && bytes > 0 && bytes < CGROUP_V1_UNLIMITED) return Math.min(bytes, machineBytes);
  }
  return machineBytes;
}
