import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (the monorepo, where ops/ and docs/ live). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** ops/prometheus, ops/grafana, docs/runbooks inside the repository. */
export const PROMETHEUS_DIR = join(REPO_ROOT, 'ops', 'prometheus');
export const GRAFANA_DIR = join(REPO_ROOT, 'ops', 'grafana');
export const RUNBOOKS_DIR = join(REPO_ROOT, 'docs', 'runbooks');
export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Absolute path of an executable on PATH or in /usr/bin, or undefined when absent. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** Title suffix that says why a suite was skipped and how to make it run. */
export function skipReason(binary: string): string {
  return `SKIPPED: no ${binary} binary on PATH or in /usr/bin (install it: apt-get install -y prometheus)`;
}

/**
 * Set AGENTLINK_REQUIRE_PROMETHEUS=1 (CI does, after installing Prometheus) to turn a missing
 * prometheus/promtool binary into a failing test instead of a skipped suite.
 */
export const PROMETHEUS_REQUIRED = process.env.AGENTLINK_REQUIRE_PROMETHEUS === '1';
