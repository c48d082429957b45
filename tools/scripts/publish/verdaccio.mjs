import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'verdaccio-child.mjs');

/**
 * Starts Verdaccio (a child process, so our synchronous npm calls never block it) with its
 * storage under `dir`, and writes an npmrc that points npm at it with a token for publishing.
 * Resolves to { url, npmrc, stop }.
 */
export async function startRegistry(dir, { timeoutMs = 60_000 } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Verdaccio did not start within ${timeoutMs} ms:\n${log}`)),
      timeoutMs,
    );
    proc.once('exit', (code) => reject(new Error(`Verdaccio exited with ${code}:\n${log}`)));
    proc.stderr.on('data', (chunk) => (log += chunk));
    proc.stdout.on('data', (chunk) => {
      log += chunk;
      const match = /\{"port":(\d+)\}/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  const url = `http://127.0.0.1:${port}/`;
  const npmrc = path.join(dir, 'npmrc');
  // Verdaccio lets anyone publish @agentlink/* here, but npm refuses to publish without a token.
  fs.writeFileSync(
    npmrc,
    [
      `registry=${url}`,
      `//127.0.0.1:${port}/:_authToken=publish-check`,
      'update-notifier=false',
      'fund=false',
      'audit=false',
      '',
    ].join('\n'),
  );
  const stop = () =>
    new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 5_000).unref();
    });
  return { url, npmrc, stop, log: () => log };
}
