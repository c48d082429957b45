import { spawn } from 'node:child_process';

const OUTPUT_TAIL_CHARS = 2_000;

/** How a runner process ended, with the tail of its output. */
export interface RunnerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly tail: string;
  readonly spawnError?: string;
}

export interface RunnerProcessOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly shell: boolean;
  /** SIGKILL the runner (its process group) after this long, in ms. */
  readonly timeoutMs: number;
  /** Stops the runner: SIGTERM, then SIGKILL after `graceMs`. */
  readonly signal?: AbortSignal;
  /**
   * Start the runner in a process group of its own, so stopping it stops the processes it started
   * too (jest workers, servers a test spawned). Off where the caller's own group is signalled as a
   * whole (an executor process, which its coordinator stops by process group). Default true.
   */
  readonly ownGroup?: boolean;
  /** Between SIGTERM and SIGKILL on abort, in ms. Default 2 s. */
  readonly graceMs?: number;
}

/**
 * Runs a test runner and resolves once it has ended. On abort or timeout the runner is killed
 * with everything in its process group; the result then says how it ended.
 */
export function runRunnerProcess(argv: readonly string[], options: RunnerProcessOptions): Promise<RunnerExit> {
  const ownGroup = options.ownGroup ?? true;
  return new Promise((resolve) => {
    let tail = '';
    const keep = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      shell: options.shell,
      detached: ownGroup,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const kill = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        if (ownGroup) process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // Gone already.
      }
    };
    let stopping = false;
    let grace: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      stopping = true;
      kill('SIGTERM');
      grace = setTimeout(() => kill('SIGKILL'), options.graceMs ?? 2_000);
    };
    const timer = setTimeout(() => kill('SIGKILL'), options.timeoutMs);
    let settled = false;
    const done = (exit: RunnerExit): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      options.signal?.removeEventListener('abort', onAbort);
      // What the runner left behind in its group (a worker that ignored SIGTERM) goes with it.
      if (stopping) kill('SIGKILL');
      resolve(exit);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => done({ code: null, signal: null, tail, spawnError: error.message }));
    child.once('close', (code, killedBy) => done({ code, signal: killedBy, tail }));
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
