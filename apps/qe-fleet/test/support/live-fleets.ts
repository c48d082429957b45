import { DEFAULT_FLEET_OPTIONS, type FleetOptions } from '../../src/fleet/fleet-options';
import { runProcessFleet, type RunningProcessFleet } from '../../src/fleet/process-fleet';
import { runFleet, type RunFleetDependencies, type RunningFleet } from '../../src/fleet/run-fleet';
import { createLearningPredictor } from '../../src/model/learning-predictor';
import { deferred } from './alert-models';
import type { LivePrometheus, PromAlert } from './prometheus';
import { activeAtSeconds } from './real-for-check';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const hostPort = (url: string): string => new URL(url).host;

/**
 * Fleets scraped by a live Prometheus, one job each, for the alert test: starts them, registers
 * their /metrics as the job's targets, waits for alerts, and remembers every alert ever seen
 * pending or firing per job (polled each second).
 */
export class LiveFleets {
  readonly seen = new Map<string, Map<string, PromAlert>>();
  readonly registeredAt = new Map<string, number>();
  readonly #prometheus: LivePrometheus;
  readonly #goodModel: string;
  readonly #runs: Array<Promise<unknown>> = [];
  #polling = true;
  readonly #poller: Promise<void>;

  constructor(prometheus: LivePrometheus, jobs: readonly string[], goodModel: string) {
    this.#prometheus = prometheus;
    this.#goodModel = goodModel;
    for (const job of jobs) this.seen.set(job, new Map());
    this.#poller = this.#poll();
  }

  /** Makes `urls` the job's targets and notes when. */
  async register(job: string, urls: readonly string[]): Promise<void> {
    await this.#prometheus.setTargets(job, urls.map(hostPort));
    this.registeredAt.set(job, Date.now());
  }

  /**
   * Resolves with the alert once `alertname` on `job` (and `match` labels) is firing, active since
   * `activeSinceMs` at the earliest (not a blip from before the fault was injected).
   */
  async firing(
    job: string,
    alertname: string,
    timeoutMs: number,
    match: Record<string, string> = {},
    activeSinceMs = 0,
  ): Promise<PromAlert> {
    const until = Date.now() + timeoutMs;
    const wanted = { job, alertname, ...match };
    const matches = (a: PromAlert): boolean => Object.entries(wanted).every(([k, v]) => a.labels[k] === v);
    const since = (a: PromAlert): boolean => activeAtSeconds(a) * 1000 >= activeSinceMs;
    while (Date.now() < until) {
      const alerts = await this.#prometheus.alerts();
      const found = alerts.find((a) => a.state === 'firing' && matches(a) && since(a));
      if (found !== undefined) return found;
      await sleep(250);
    }
    const alerts = JSON.stringify(await this.#prometheus.alerts());
    throw new Error(`${alertname} on ${job} not firing within ${timeoutMs} ms; alerts: ${alerts}`);
  }

  /** Starts an in-process fleet; `check` runs while it is live, then the fleet stops. */
  inProcess(
    job: string,
    overrides: Partial<FleetOptions>,
    extra: Partial<RunFleetDependencies>,
    check: (fleet: RunningFleet) => Promise<void>,
  ): Promise<void> {
    const done = deferred<void>();
    const failure = deferred<unknown>();
    const run = runFleet(fleetOptions(overrides), {
      createPredictor: (training) => createLearningPredictor(training, { modelDir: this.#goodModel }),
      ...extra,
      onRunning: async (fleet) => {
        const agents = [...fleet.agents.values()].map((a) => a.metricsUrl);
        await this.register(job, [fleet.coordinatorNode.telemetry.url, ...agents]);
        try {
          await check(fleet);
          done.resolve();
        } catch (error) {
          failure.resolve(error);
        } finally {
          await this.#prometheus.setTargets(job, []);
          fleet.coordinator.close();
        }
      },
    });
    this.#runs.push(run.catch(() => undefined));
    return Promise.race([done.promise, failure.promise.then((e) => Promise.reject(e)), run.then(() => done.promise)]);
  }

  /** Starts a fleet of processes; their /metrics URLs come from their ready lines (ports they bound). */
  async processes(
    job: string,
    overrides: Partial<FleetOptions>,
    registerNow = true,
  ): Promise<{ running: RunningProcessFleet; urls: string[] }> {
    const started = deferred<RunningProcessFleet>();
    const options = fleetOptions({
      mode: 'processes',
      modelDir: this.#goodModel,
      metricsBasePort: 0,
      ...overrides,
    });
    const run = runProcessFleet(options, { onRunning: (r) => started.resolve(r) });
    this.#runs.push(run.catch(() => undefined));
    const ended = run.then(() => Promise.reject(new Error(`${job}: the fleet ended before it ran`)));
    const running = await Promise.race([started.promise, ended]);
    const urls = running.plan.agents.map((a) => running.metricsUrls[a.id]!);
    if (registerNow) await this.register(job, urls);
    return { running, urls };
  }

  /** Stops polling and waits for every fleet to end. */
  async stop(): Promise<void> {
    this.#polling = false;
    await this.#poller;
    await Promise.allSettled(this.#runs);
  }

  async #poll(): Promise<void> {
    while (this.#polling) {
      for (const alert of await this.#prometheus.alerts().catch(() => [])) {
        const job = alert.labels['job'];
        const key = `${alert.labels['alertname']} ${alert.state} ${JSON.stringify(alert.labels)}`;
        const seen = job === undefined || !this.registeredAt.has(job) ? undefined : this.seen.get(job);
        if (seen !== undefined && !seen.has(key)) seen.set(key, alert);
      }
      await sleep(1_000);
    }
  }
}

function fleetOptions(overrides: Partial<FleetOptions>): FleetOptions {
  return { ...DEFAULT_FLEET_OPTIONS, agents: 5, suiteSize: 120, ...overrides };
}
