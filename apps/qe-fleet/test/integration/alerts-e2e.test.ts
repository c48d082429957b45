import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { trainFlakinessModel } from '@agentlink/learning';
import { createTestPki } from '@agentlink/test-harness';
import { issueCertificate } from '@agentlink/transport';
import { DEFAULT_FLEET_OPTIONS, type FleetOptions } from '../../src/fleet/fleet-options';
import { planFleet } from '../../src/fleet/fleet-plan';
import { runProcessFleet, type RunningProcessFleet } from '../../src/fleet/process-fleet';
import { runFleet, type RunningFleet } from '../../src/fleet/run-fleet';
import { createLearningPredictor, toDataset } from '../../src/model/learning-predictor';
import { findRepoRoot, readFlakeFlaggerSuite, resolveDataDir } from '../../src/suite/suite-files';
import { freeRange } from '../support/free-range';
import { evaluateDashboards, type PanelResult } from '../support/dashboards';
import { findPrometheus, startLivePrometheus, type LivePrometheus, type PromAlert } from '../support/prometheus';

/*
 * Issue 16's end-to-end alert test: a real Prometheus (1 s scrape and evaluation) scrapes live
 * fleets, one job per scenario, all running at once. The rule files are the repository's, with
 * one change: `for: 5m` becomes `for: 30s` and `for: 2m` becomes `for: 15s` (five minutes per
 * scenario would not fit in CI); expressions, thresholds and the recording rules' 5-minute
 * windows are the real ones. The cert, model, kill and latency scenarios run at once; the
 * healthy fleet starts with them but is watched for 3 minutes once they are over. Added CI
 * time: about 5 to 6 minutes.
 */
const binary = findPrometheus();
const REQUIRED = process.env['AGENTLINK_REQUIRE_PROMETHEUS'] === '1';
const root = findRepoRoot(process.cwd())!;
const describeLive = binary === undefined && !REQUIRED ? describe.skip : describe;
const EVAL_S = 1;
const HEALTHY_MS = 180_000;
const JOBS = ['agentlink-healthy', 'agentlink-cert', 'agentlink-model', 'agentlink-kill', 'agentlink-latency'] as const;
type Job = (typeof JOBS)[number];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const hostPort = (url: string): string => new URL(url).host;

/** The repository's rule files with the alerts' `for` shortened (and nothing else). */
async function testRuleFiles(dir: string): Promise<string[]> {
  const rules = path.join(root, 'ops/prometheus/rules');
  const out: string[] = [];
  for (const file of readdirSync(rules).filter((f) => f.endsWith('.yml'))) {
    const text = readFileSync(path.join(rules, file), 'utf8').replaceAll('for: 5m', 'for: 30s').replaceAll('for: 2m', 'for: 15s');
    await writeFile(path.join(dir, file), text);
    out.push(path.join(dir, file));
  }
  return out;
}

/** Trains a small model on FlakeFlagger and saves it; `invert` flips the labels: a model that is wrong on purpose. */
async function savedModel(dir: string, invert: boolean): Promise<string> {
  const data = toDataset(await readFlakeFlaggerSuite(resolveDataDir(undefined, process.cwd())));
  const labels = invert ? data.labels.map((l) => (l === 1 ? 0 : 1)) : data.labels;
  // The analyser's own training settings (learning-predictor.ts), fewer epochs: accuracy about 0.87 on the suite.
  const trained = await trainFlakinessModel({ ...data, labels }, { hiddenUnits: [32, 16], batchSize: 256, maxEpochs: 3, learningRate: 0.003, seed: 42 });
  const out = path.join(dir, invert ? 'bad-model' : 'model');
  await trained.model.save(out);
  trained.model.dispose();
  return out;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describeLive('alerts and dashboards against a real Prometheus scraping live fleets', () => {
  let dir: string;
  let prometheus: LivePrometheus;
  let goodModel: string;
  let badModel: string;
  const seen = new Map<Job, Map<string, PromAlert>>(JOBS.map((j) => [j, new Map()]));
  const registeredAt = new Map<Job, number>();
  let polling = true;
  let poller: Promise<void> = Promise.resolve();
  const runs: Array<Promise<unknown>> = [];

  const options = (overrides: Partial<FleetOptions>): FleetOptions => ({ ...DEFAULT_FLEET_OPTIONS, agents: 5, suiteSize: 120, ...overrides });
  const register = async (job: Job, urls: readonly string[]): Promise<void> => {
    await prometheus.setTargets(job, urls.map(hostPort));
    registeredAt.set(job, Date.now());
  };
  /** Resolves with the alert once `alertname` on `job` (and `match` labels) is firing. */
  const firing = async (job: Job, alertname: string, timeoutMs: number, match: Record<string, string> = {}): Promise<PromAlert & { at: number }> => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const found = (await prometheus.alerts()).find((a) => a.labels['job'] === job && a.labels['alertname'] === alertname && a.state === 'firing' && Object.entries(match).every(([k, v]) => a.labels[k] === v));
      if (found !== undefined) return { ...found, at: Date.now() };
      await sleep(250);
    }
    throw new Error(`${alertname} on ${job} not firing within ${timeoutMs} ms; alerts: ${JSON.stringify(await prometheus.alerts())}`);
  };

  beforeAll(async () => {
    if (binary === undefined) throw new Error('AGENTLINK_REQUIRE_PROMETHEUS=1 but no prometheus binary on PATH');
    dir = await mkdtemp(path.join(tmpdir(), 'qe-fleet-alerts-'));
    [goodModel, badModel] = await Promise.all([savedModel(dir, false), savedModel(dir, true)]);
    prometheus = await startLivePrometheus(binary, JOBS, await testRuleFiles(dir));
    // Every alert ever seen pending or firing, per job (the healthy fleet must have none).
    poller = (async () => {
      while (polling) {
        for (const alert of await prometheus.alerts().catch(() => [])) {
          const job = alert.labels['job'] as Job | undefined;
          const key = `${alert.labels['alertname']} ${alert.state} ${JSON.stringify(alert.labels)}`;
          if (job !== undefined && seen.has(job) && registeredAt.has(job) && !seen.get(job)!.has(key)) seen.get(job)!.set(key, alert);
        }
        await sleep(1_000);
      }
    })();
  }, 300_000);

  afterAll(async () => {
    polling = false;
    await poller;
    if (binary === undefined) return;
    await Promise.allSettled(runs);
    await prometheus?.stop();
    await rm(dir, { recursive: true, force: true });
  }, 300_000);

  /** Starts an in-process fleet; `check` runs while it is live, with its /metrics URLs. */
  function inProcess(job: Job, overrides: Partial<FleetOptions>, extra: Partial<Parameters<typeof runFleet>[1]>, check: (fleet: RunningFleet) => Promise<void>): Promise<void> {
    const done = deferred<void>();
    const failure = deferred<unknown>();
    const run = runFleet(options(overrides), {
      createPredictor: (training) => createLearningPredictor(training, { modelDir: goodModel }),
      ...extra,
      onRunning: async (fleet) => {
        await register(job, [fleet.coordinatorNode.telemetry.url, ...[...fleet.agents.values()].map((a) => a.metricsUrl)]);
        try {
          await check(fleet);
          done.resolve();
        } catch (error) {
          failure.resolve(error);
        } finally {
          await prometheus.setTargets(job, []);
          fleet.coordinator.close();
        }
      },
    });
    runs.push(run.catch(() => undefined));
    return Promise.race([done.promise, failure.promise.then((e) => Promise.reject(e)), run.then(() => done.promise)]);
  }

  /** Starts a fleet of processes whose /metrics ports are known in advance. */
  async function processes(job: Job, overrides: Partial<FleetOptions>, registerNow = true): Promise<{ running: RunningProcessFleet; urls: string[] }> {
    const base = await freeRange(5);
    const started = deferred<RunningProcessFleet>();
    const run = runProcessFleet(options({ mode: 'processes', modelDir: goodModel, metricsBasePort: base, ...overrides }), { onRunning: (r) => started.resolve(r) });
    runs.push(run.catch(() => undefined));
    const running = await Promise.race([started.promise, run.then(() => Promise.reject(new Error(`${job}: the fleet ended before it ran`)))]);
    const urls = running.plan.agents.map((_, i) => `http://127.0.0.1:${base + i}`);
    if (registerNow) await register(job, urls);
    return { running, urls };
  }

  // Started at once in the first test; each scenario's test awaits its own.
  let scenarios: Record<string, Promise<unknown>> = {};
  const scenario = <T>(name: string): Promise<T> => scenarios[name] as Promise<T>;

  it('starts the five scenarios at once', () => {
    const others: Array<Promise<unknown>> = [];
    scenarios = {
      healthy: (async () => {
        // Watched once the other scenarios are over: their load (five fleets on two cores) is not
        // this fleet's latency.
        const { running, urls } = await processes('agentlink-healthy', { durationS: 400, timeoutS: 420 }, false);
        await Promise.allSettled(others);
        await register('agentlink-healthy', urls);
        await sleep(HEALTHY_MS);
        const panels = await evaluateDashboards(prometheus, root);
        await prometheus.setTargets('agentlink-healthy', []);
        await running.fleet.kill(running.plan.coordinatorId, 'SIGTERM').catch(() => undefined);
        return panels;
      })(),
      cert: (async () => {
        const plan = planFleet(5);
        const pki = await createTestPki({ agentIds: plan.agents.map((a) => a.id) });
        const soon = await issueCertificate(pki.ca, { agentId: 'executor-1', usage: 'both', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'], notAfter: new Date(Date.now() + 3 * 86_400_000) });
        const credentials = { ...pki.agents, 'executor-1': { certPem: soon.certPem, keyPem: soon.keyPem, caPem: pki.ca.certPem } };
        let alert: PromAlert & { at: number } | undefined;
        await inProcess('agentlink-cert', { suiteSize: 40, durationS: 30, timeoutS: 90 }, { credentials }, async () => {
          alert = await firing('agentlink-cert', 'AgentlinkCertificateExpiringSoon', 30_000);
        });
        // From the agent's first scrape (start-up as Prometheus sees it) to the alert becoming active.
        const up = await prometheus.samples(`up{job="agentlink-cert", instance="${alert!.labels['instance']}"}[10m]`);
        const firstScrapeS = Math.min(...up.flatMap((r) => r.values.map(([t]) => t)));
        const activeS = Date.parse(alert!.activeAt.replace(/(\.\d{3})\d*Z$/, '$1Z')) / 1000;
        return { alert, latencyMs: (activeS - firstScrapeS) * 1000 };
      })(),
      model: (async () => {
        let alert: PromAlert | undefined;
        await inProcess('agentlink-model', { suiteSize: 40, durationS: 30, timeoutS: 90 }, { createPredictor: (training) => createLearningPredictor(training, { modelDir: badModel }) }, async () => {
          alert = await firing('agentlink-model', 'AgentlinkNeuralAccuracyLow', 60_000);
        });
        const accuracy = await prometheus.query('neural_accuracy{job="agentlink-model"}');
        return { alert, accuracy };
      })(),
      kill: (async () => {
        const { running, urls } = await processes('agentlink-kill', { durationS: 150, timeoutS: 160 });
        const victim = 'executor-2';
        const victimTarget = hostPort(urls[running.plan.agents.findIndex((a) => a.id === victim)]!);
        // Kill once the coordinator's breaker for the victim is on the scrape (closed).
        const until = Date.now() + 90_000;
        while ((await prometheus.query(`agentlink_breaker_state{job="agentlink-kill", key="${victim}"}`)).length === 0 && Date.now() < until) await sleep(500);
        await running.fleet.kill(victim, 'SIGKILL');
        const [breaker, scrape] = await Promise.all([
          firing('agentlink-kill', 'AgentlinkCircuitBreakerOpenTooLong', 120_000, { key: victim }),
          firing('agentlink-kill', 'AgentlinkScrapeDown', 120_000, { instance: victimTarget }),
        ]);
        await prometheus.setTargets('agentlink-kill', []);
        await running.fleet.kill(running.plan.coordinatorId, 'SIGTERM').catch(() => undefined);
        return { breaker, scrape };
      })(),
      latency: (async () => {
        // In this process, like cert and model: after them, so that /metrics of all three stays
        // within the 1 s scrape timeout on a loaded machine.
        await sleep(0);
        await Promise.allSettled([scenarios['cert'], scenarios['model']]);
        let alert: PromAlert | undefined;
        let handlerP95: unknown;
        await inProcess('agentlink-latency', { durationS: 150, timeoutS: 180, fault: { lossRate: 0, latencyMs: 60, jitterMs: 0 } }, {}, async () => {
          alert = await firing('agentlink-latency', 'AgentlinkQuicLatencyHigh', 150_000);
          handlerP95 = await prometheus.query('method:agentlink_handler_duration_seconds:p95{job="agentlink-latency", method="fleet.ping"}');
        });
        return { alert, handlerP95 };
      })(),
    };
    for (const name of ['cert', 'model', 'kill', 'latency']) others.push(scenarios[name]!);
    for (const p of Object.values(scenarios)) p.catch(() => undefined);
    expect(Object.keys(scenarios)).toHaveLength(5);
  });

  it('certificate expiring in under 7 days: CertificateExpiringSoon fires within for (0) + 2 evaluations of start-up', async () => {
    const { alert, latencyMs } = await scenario<{ alert: PromAlert; latencyMs: number }>('cert');
    expect(alert.labels['instance']).toBeDefined();
    // The rule has no `for`: active within 2 evaluation intervals of the agent's first scrape.
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    expect(latencyMs).toBeLessThanOrEqual((0 + 2 * EVAL_S) * 1000);
  }, 200_000);

  it('model accuracy under 0.80: NeuralAccuracyLow fires', async () => {
    const { alert, accuracy } = await scenario<{ alert: PromAlert; accuracy: Array<{ value: [number, string] }> }>('model');
    expect(alert.labels['model']).toBeDefined();
    expect(Number(accuracy[0]!.value[1])).toBeLessThan(0.8);
  }, 200_000);

  it('executor SIGKILLed: CircuitBreakerOpenTooLong and ScrapeDown fire', async () => {
    const { breaker, scrape } = await scenario<{ breaker: PromAlert; scrape: PromAlert }>('kill');
    expect(breaker.labels['key']).toBe('executor-2');
    expect(scrape.labels['alertname']).toBe('AgentlinkScrapeDown');
  }, 300_000);

  it('60 ms each way injected between coordinator and executors: QuicLatencyHigh fires on the network round trip', async () => {
    const { alert, handlerP95 } = await scenario<{ alert: PromAlert; handlerP95: Array<{ value: [number, string] }> }>('latency');
    expect(alert.labels['alertname']).toBe('AgentlinkQuicLatencyHigh');
    // The delay is the network's: the executors' ping handlers stay fast (application latency apart).
    expect(handlerP95.length).toBeGreaterThan(0);
    for (const sample of handlerP95) expect(Number(sample.value[1])).toBeLessThan(0.1);
  }, 300_000);

  it('a healthy fleet for 3 minutes: no alert firing, none pending but a load-induced latency blip', async () => {
    await scenario('healthy');
    expect(Date.now() - registeredAt.get('agentlink-healthy')!).toBeGreaterThanOrEqual(HEALTHY_MS);
    const alerts = [...seen.get('agentlink-healthy')!.values()];
    // Nothing fires. Nothing is pending either, except that on a loaded machine (5 fleets and the
    // other helpers' tests on 2 cores) the ping round trip's p95 can cross 100 ms for seconds,
    // which QuicLatencyHigh rightly counts as latency: pending then, never firing (its real
    // `for` is 5 minutes).
    expect(alerts.filter((a) => a.state === 'firing').map((a) => JSON.stringify(a.labels))).toEqual([]);
    expect(alerts.filter((a) => a.labels['alertname'] !== 'AgentlinkQuicLatencyHigh').map((a) => `${a.state} ${JSON.stringify(a.labels)}`)).toEqual([]);
  }, 600_000);

  it('every dashboard expression has data on the live fleets: no error, no NaN, empty only where documented', async () => {
    const panels = await scenario<PanelResult[]>('healthy');
    expect(panels.length).toBeGreaterThan(40);
    const bad = panels.filter((p) => p.error !== undefined || p.nan || (p.empty && !p.documentedEmpty));
    expect(bad.map((p) => `${p.dashboard} / ${p.panel}: ${p.error ?? (p.nan ? 'NaN' : 'empty')} <- ${p.expr}`)).toEqual([]);
  }, 600_000);
});
