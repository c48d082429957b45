import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ReportPartError } from './errors';
import type { HonestReport } from './report-run';

/** argv without the given options (and their values). */
function without(argv: readonly string[], flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (flags.includes(argv[i])) i++;
    else if (!flags.some((flag) => argv[i].startsWith(`${flag}=`))) out.push(argv[i]);
  }
  return out;
}

/** Runs `task` for 0..count-1 with at most `limit` at once; results in index order. */
async function pool<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

/**
 * Runs each feature set of the report in its own process (`--report-set i`, the same options
 * otherwise), at most `jobs` at once, and joins their JSON: on a shared machine a process per set
 * gets its own CPU share. The folds, seeds and choices are exactly those of a single-process run.
 */
export async function runReportInParallel(
  argv: readonly string[],
  setCount: number,
  log: (line: string) => void,
  jobs = setCount,
): Promise<HonestReport> {
  const started = performance.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'agentlink-report-'));
  try {
    const base = without(argv, ['--jobs', '--out', '--report-set']);
    const parts = await pool(setCount, jobs, async (set) => {
      const out = path.join(dir, `set-${set}.md`);
      const args = [process.argv[1], ...base, '--report-set', String(set), '--out', out];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let pending = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') log(`[set ${set}] ${line}`);
      });
      const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
      if (code !== 0) throw new ReportPartError(set, code);
      return JSON.parse(await readFile(out.replace(/\.md$/, '.json'), 'utf8')) as HonestReport;
    });
    return {
      ...parts[0],
      command: `agentlink-learn ${argv.join(' ')}`,
      generatedAt: new Date().toISOString(),
      sets: parts.flatMap((part) => part.sets),
      leaveProjectsOut: parts.find((part) => part.leaveProjectsOut !== undefined)?.leaveProjectsOut,
      durationMs: performance.now() - started,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
