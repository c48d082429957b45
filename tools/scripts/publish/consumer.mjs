import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// npm exports its own configuration (prefix, local_prefix, userconfig, ...) to the scripts it runs;
// a nested npm must not inherit it, or it installs into the monorepo instead of the consumer.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_|^INIT_CWD$/i.test(key)));

/** The npm CLI script (npm-cli.js) of the npm that runs us, or the one on PATH. */
export function findNpmCli() {
  if (process.env.npm_execpath?.endsWith('npm-cli.js')) return process.env.npm_execpath;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'npm');
    if (!fs.existsSync(candidate)) continue;
    const cli = path.join(path.dirname(fs.realpathSync(candidate)), 'npm-cli.js');
    if (fs.existsSync(cli)) return cli;
  }
  throw new Error('npm-cli.js not found (is npm installed?)');
}

/**
 * A runtime to install and run with: `node` (the binary), `npm(args, cwd)` (npm run on that
 * binary, with `npmrc` as its user config) and `run(args, cwd)` (that binary). Both return stdout
 * and throw with stdout/stderr on a non-zero exit.
 */
export function runtime(binary, npmCli, npmrc) {
  const env = {
    ...cleanEnv,
    PATH: `${path.dirname(binary)}${path.delimiter}${cleanEnv.PATH ?? ''}`,
    ...(npmrc ? { npm_config_userconfig: npmrc } : {}),
  };
  const exec = (args, cwd, timeoutMs) =>
    execFileSync(binary, args, {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      maxBuffer: 64 << 20,
    });
  return {
    binary,
    major: Number(execFileSync(binary, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim()),
    npm: (args, cwd, timeoutMs = 300_000) => exec([npmCli, ...args], cwd, timeoutMs),
    run: (args, cwd, timeoutMs = 180_000) => exec(args, cwd, timeoutMs),
  };
}

/** An empty ESM project in `dir`, as `npm init` would leave it. */
export function createConsumer(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  return dir;
}

/** The tail of a failed command's output, for the failure list. */
export function describeFailure(error) {
  const text = `${error.stdout ?? ''}\n${error.stderr ?? ''}`.trim() || String(error.message ?? error);
  return text.split('\n').slice(-25).join('\n');
}
