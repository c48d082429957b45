import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { trainFlakinessModel } from '@agentlink/learning';
import { createTestPki } from '@agentlink/test-harness';
import { issueCertificate } from '@agentlink/transport';
import type { FleetPlan } from '../../src/fleet/fleet-plan';
import { toDataset } from '../../src/model/learning-predictor';
import { readFlakeFlaggerSuite, resolveDataDir } from '../../src/suite/suite-files';
import type { LivePrometheus, PromAlert } from './prometheus';

/** The Prometheus jobs of the alert end-to-end test, one per scenario. */
export const JOBS = [
  'agentlink-healthy',
  'agentlink-cert',
  'agentlink-model',
  'agentlink-kill',
  'agentlink-latency',
] as const;
export type Job = (typeof JOBS)[number];

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const hostPort = (url: string): string => new URL(url).host;

/** The repository's rule files with the alerts' `for` shortened (and nothing else). */
export async function testRuleFiles(root: string, dir: string): Promise<string[]> {
  const rules = path.join(root, 'ops/prometheus/rules');
  const out: string[] = [];
  for (const file of readdirSync(rules).filter((f) => f.endsWith('.yml'))) {
    const text = readFileSync(path.join(rules, file), 'utf8')
      .replaceAll('for: 5m', 'for: 30s')
      .replaceAll('for: 2m', 'for: 15s');
    await writeFile(path.join(dir, file), text);
    out.push(path.join(dir, file));
  }
  return out;
}

/** Trains a small model on FlakeFlagger and saves it; `invert` flips the labels: a model that is wrong on purpose. */
export async function savedModel(dir: string, invert: boolean): Promise<string> {
  const data = toDataset(await readFlakeFlaggerSuite(resolveDataDir(undefined, process.cwd())));
  const labels = invert ? data.labels.map((l) => (l === 1 ? 0 : 1)) : data.labels;
  // The analyser's own training settings (learning-predictor.ts), fewer epochs: accuracy about 0.87 on the suite.
  const trained = await trainFlakinessModel(
    { ...data, labels },
    { hiddenUnits: [32, 16], batchSize: 256, maxEpochs: 3, learningRate: 0.003, seed: 42 },
  );
  const out = path.join(dir, invert ? 'bad-model' : 'model');
  await trained.model.save(out);
  trained.model.dispose();
  return out;
}

/** A promise with its resolve function. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves with the alert once `alertname` on `job` (and `match` labels) is firing. */
export async function waitForFiring(
  prometheus: LivePrometheus,
  job: Job,
  alertname: string,
  timeoutMs: number,
  match: Record<string, string> = {},
): Promise<PromAlert & { at: number }> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const found = (await prometheus.alerts()).find(
      (a) =>
        a.labels['job'] === job &&
        a.labels['alertname'] === alertname &&
        a.state === 'firing' &&
        Object.entries(match).every(([k, v]) => a.labels[k] === v),
    );
    if (found !== undefined) return { ...found, at: Date.now() };
    await sleep(250);
  }
  const alerts = JSON.stringify(await prometheus.alerts());
  throw new Error(`${alertname} on ${job} not firing within ${timeoutMs} ms; alerts: ${alerts}`);
}

/** Records every alert seen pending or firing on a registered job, once per state and labels. */
export async function recordAlerts(
  prometheus: LivePrometheus,
  seen: Map<Job, Map<string, PromAlert>>,
  registeredAt: ReadonlyMap<Job, number>,
  polling: () => boolean,
): Promise<void> {
  while (polling()) {
    for (const alert of await prometheus.alerts().catch(() => [])) {
      const job = alert.labels['job'] as Job | undefined;
      const key = `${alert.labels['alertname']} ${alert.state} ${JSON.stringify(alert.labels)}`;
      if (job !== undefined && seen.has(job) && registeredAt.has(job) && !seen.get(job)!.has(key)) {
        seen.get(job)!.set(key, alert);
      }
    }
    await sleep(1_000);
  }
}

/** Development credentials for every agent of `plan`, with `agentId`'s certificate expiring in 3 days. */
export async function credentialsExpiringSoon(plan: FleetPlan, agentId: string) {
  const pki = await createTestPki({ agentIds: plan.agents.map((a) => a.id) });
  const soon = await issueCertificate(pki.ca, {
    agentId,
    usage: 'both',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
    notAfter: new Date(Date.now() + 3 * 86_400_000),
  });
  return { ...pki.agents, [agentId]: { certPem: soon.certPem, keyPem: soon.keyPem, caPem: pki.ca.certPem } };
}
