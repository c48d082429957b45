import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Prometheus server this test started on loopback, with its own storage in a temp dir. */
export interface PrometheusProcess {
  url: string;
  /** Prometheus' own log, for failure messages. */
  log(): string;
  /** Instant query through the HTTP API; returns `data` of a successful answer or throws with Prometheus' error. */
  query(
    expr: string,
  ): Promise<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }>;
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  signal?: AbortSignal,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && signal?.aborted !== true) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : `: ${String(lastError)}`}`,
  );
}

/**
 * Starts `binary` with a 1 s scrape and evaluation interval, scraping `target` (host:port) as
 * job `job` and loading `ruleFiles`, and waits until it is ready.
 */
export async function startPrometheus(
  binary: string,
  options: { target: string; job: string; ruleFiles: string[] },
): Promise<PrometheusProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'agentlink-prometheus-'));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    ...options.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
    'scrape_configs:',
    `  - job_name: ${options.job}`,
    '    static_configs:',
    `      - targets: [${JSON.stringify(options.target)}]`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);

  let child: ChildProcess | undefined;
  let output = '';
  let url = '';
  // A port found free can be taken before Prometheus binds it: try a few.
  for (let attempt = 0; attempt < 3 && url === ''; attempt++) {
    const port = await freePort();
    const started = spawn(
      binary,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=info',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    started.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
    started.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
    const exited = new Promise<'exited'>((resolve) => started.once('exit', () => resolve('exited')));
    const candidate = `http://127.0.0.1:${port}`;
    const stopPolling = new AbortController();
    const ready = eventually(
      'Prometheus /-/ready',
      async () => ((await fetch(`${candidate}/-/ready`)).ok ? ('ready' as const) : undefined),
      20_000,
      stopPolling.signal,
    );
    const outcome = await Promise.race([ready, exited]).catch(() => 'timeout' as const);
    stopPolling.abort();
    ready.catch(() => {});
    if (outcome === 'ready') {
      child = started;
      url = candidate;
    } else if (outcome === 'timeout') {
      started.kill('SIGKILL');
    }
  }
  if (child === undefined) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`Prometheus did not start:\n${output}`);
  }
  const running = child;

  async function api<T>(path: string): Promise<T> {
    const body = (await (await fetch(`${url}${path}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? body.status}`);
    return body.data;
  }

  return {
    url,
    log: () => output,
    api,
    query: (expr) => api(`/api/v1/query?query=${encodeURIComponent(expr)}`),
    async stop() {
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
