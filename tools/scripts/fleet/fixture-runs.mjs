// Runs of examples/flaky-project through the fleet, recorded in one history store: the loop that
// tools/scripts/flaky-detection-runs.mjs and tools/scripts/fleet-history-accuracy.mjs share.
// Build first (npx nx build qe-fleet).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const qeFleet = path.join(root, 'apps/qe-fleet/dist/main.js');
export const flakyProject = path.join(root, 'examples/flaky-project');

/** Runs the built qe-fleet CLI; resolves with its exit code and stdout (stderr passes through or not). */
export function qeFleetCli(args, { env = {}, stderr = 'ignore' } = {}) {
  if (!existsSync(qeFleet)) throw new Error(`${qeFleet} missing: npx nx build qe-fleet`);
  const child = spawn(process.execPath, [qeFleet, ...args], {
    stdio: ['ignore', 'pipe', stderr],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout })));
}

/**
 * One run of the fixture with `FLAKY_SEED=seed`, recorded in `history`, with its own quarantine
 * and output directory under `work` (so each run detects on its own); `args` adds flags.
 */
export async function fixtureRun({ seed, history, work, args = [] }) {
  const { code, stdout } = await qeFleetCli(
    [
      'run',
      '--project',
      flakyProject,
      '--history',
      history,
      '--quarantine',
      path.join(work, `quarantine-${seed}.json`),
      '--out',
      path.join(work, `run-${seed}`),
      '--json',
      '--progress',
      'none',
      ...args,
    ],
    { env: { FLAKY_SEED: String(seed) } },
  );
  return { code, summary: JSON.parse(stdout) };
}

/** `qe-fleet history SUBCOMMAND --history H --json ...`, parsed; undefined when it fails. */
export async function historyJson(history, subcommand, args = []) {
  const { code, stdout } = await qeFleetCli(['history', subcommand, '--history', history, '--json', ...args]);
  return code === 0 ? JSON.parse(stdout) : undefined;
}

/** The machine line every result file carries. */
export const machineLine = () => `${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`;
