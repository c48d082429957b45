/** What every process of the namespace rig needs: the shared credentials, and ending with its parent. */
import { readFileSync } from 'node:fs';
import type { PairCredentials } from './connection-pair';

/** Environment variable naming the JSON file with the pair's credentials (the rig writes it). */
export const CREDENTIALS_ENV = 'AGENTLINK_BENCH_CREDENTIALS';

/**
 * Calls `onOrphaned` once the process that started this one has gone (re-parented), so no peer
 * outlives an interrupted benchmark inside a namespace nobody can see any more.
 */
export function exitWithParent(onOrphaned: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, 500);
  timer.unref();
}

/** The credentials the rig wrote for its peers (server and client certificates of one CA). */
export function rigCredentials(): PairCredentials {
  const file = process.env[CREDENTIALS_ENV];
  if (file === undefined) throw new Error(`${CREDENTIALS_ENV} is not set: start this through netns-rig.ts`);
  return JSON.parse(readFileSync(file, 'utf8')) as PairCredentials;
}
