import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The prometheus binary on PATH (Debian: /usr/bin/prometheus), or undefined. */
export function findPrometheus(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const file = path.join(dir, 'prometheus');
    if (dir !== '' && existsSync(file) && spawnSync(file, ['--version'], { stdio: 'ignore' }).status === 0) {
      return file;
    }
  }
  return undefined;
}

export interface PromAlert {
  readonly labels: Record<string, string>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
}

/** A Prometheus this test started: 1 s scrape and evaluation, one file_sd target file per job. */
export interface LivePrometheus {
  readonly url: string;
  /** Sets the targets (host:port) of `job` (a job named in `start`); Prometheus picks the file up at once. */
  setTargets(job: string, targets: readonly string[]): Promise<void>;
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Raw samples of a range selector, e.g. `up{job="x"}[10m]`: [unix seconds, value] pairs. */
  samples(selector: string): Promise<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>>;
  alerts(): Promise<PromAlert[]>;
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts `binary` on 127.0.0.1 with its own storage, `ruleFiles`, and one job per name in `jobs`
 * whose targets come from a file_sd file (empty until setTargets).
 */
export async function startLivePrometheus(
  binary: string,
  jobs: readonly string[],
  ruleFiles: readonly string[],
): Promise<LivePrometheus> {
  const dir = await mkdtemp(path.join(tmpdir(), 'qe-fleet-prometheus-'));
  const targetFile = (job: string): string => path.join(dir, `${job}.json`);
  for (const job of jobs) await writeFile(targetFile(job), '[]');
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
    'scrape_configs:',
    ...jobs.flatMap((job) => [
      `  - job_name: ${job}`,
      '    file_sd_configs:',
      `      - files: [${JSON.stringify(targetFile(job))}]`,
      '        refresh_interval: 1s',
    ]),
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'prometheus.yml'), config);
  let output = '';
  let child: ChildProcess | undefined;
  let url = '';
  for (let attempt = 0; attempt < 3 && child === undefined; attempt += 1) {
    const port = await freePort();
    const started = spawn(
      binary,
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    started.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
    started.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
    const until = Date.now() + 30_000;
    while (Date.now() < until && started.exitCode === null) {
      if (
        await fetch(`http://127.0.0.1:${port}/-/ready`).then(
          (r) => r.ok,
          () => false,
        )
      ) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (
      started.exitCode === null &&
      (await fetch(`http://127.0.0.1:${port}/-/ready`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      child = started;
      url = `http://127.0.0.1:${port}`;
    } else started.kill('SIGKILL');
  }
  if (child === undefined) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`Prometheus did not start:\n${output}`);
  }
  const running = child;
  const api = async <T>(p: string): Promise<T> => {
    const body = (await (await fetch(`${url}${p}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${p}: ${body.error ?? body.status}`);
    return body.data;
  };
  return {
    url,
    setTargets: async (job, targets) => {
      const next = `${targetFile(job)}.next`;
      await writeFile(next, JSON.stringify([{ targets }]));
      // Renamed into place so Prometheus never reads a half-written file.
      await rename(next, targetFile(job));
    },
    query: async (expr) =>
      (
        await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
          `/api/v1/query?query=${encodeURIComponent(expr)}`,
        )
      ).result,
    samples: async (selector) =>
      (
        await api<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>(
          `/api/v1/query?query=${encodeURIComponent(selector)}`,
        )
      ).result,
    alerts: async () => (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts,
    log: () => output,
    stop: async () => {
      if (running.exitCode === null && running.signalCode === null) {
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.kill('SIGTERM');
        const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
