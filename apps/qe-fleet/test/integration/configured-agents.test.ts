import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { trainFlakinessModel } from '@agentlink/learning';
import { runConfiguredAgent } from '../../src/config/run-configured-agent';
import { placeAgents, writeFleetConfigs } from '../../src/fleet/configured-fleet';
import { DEFAULT_FLEET_OPTIONS } from '../../src/fleet/fleet-options';
import { planFleet } from '../../src/fleet/fleet-plan';
import { toDataset } from '../../src/model/learning-predictor';
import { readFlakeFlaggerSuite, resolveDataDir } from '../../src/suite/suite-files';

let dir: string;
let dataDir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'qe-fleet-configured-'));
  dataDir = resolveDataDir(undefined, process.cwd());
  // A model saved by @agentlink/learning, which the configured analyser loads instead of training.
  const trained = await trainFlakinessModel(toDataset(await readFlakeFlaggerSuite(dataDir)), { hiddenUnits: [8], maxEpochs: 2, batchSize: 512 });
  await trained.model.save(path.join(dir, 'model'));
  trained.model.dispose();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('agents started from production configuration files', () => {
  it('a 5-agent fleet of configured agents (one config each) completes a suite over QUIC', async () => {
    const plan = planFleet(5);
    const options = { ...DEFAULT_FLEET_OPTIONS, suiteSize: 60, durationS: 1, modelDir: path.join(dir, 'model') };
    const files = await writeFleetConfigs(path.join(dir, 'configs'), plan, await placeAgents(plan, 'processes'), options, dataDir);
    const stop = new AbortController();
    const out: string[] = [];
    // Scrape each agent once it is ready: its role defines the qe_fleet_* metrics right after the ready line.
    const scrapes: Array<Promise<[string, string]>> = [];
    const scrape = (agent: string, url: string): Promise<[string, string]> =>
      fetch(`${url}/metrics`).then(async (r) => [agent, await r.text()] as [string, string], (error: unknown) => [agent, `scrape failed: ${String(error)}`]);
    const io = {
      out: (line: string) => {
        out.push(line);
        const event = JSON.parse(line) as { event: string; agent: string; metrics?: string };
        if (event.event === 'ready') scrapes.push(scrape(event.agent, event.metrics!));
      },
      err: () => undefined,
    };
    const flags = (id: string) => ({ ...DEFAULT_FLEET_OPTIONS, configPath: files.get(id)!, json: true, timeoutS: 60 });
    const others = plan.agents.filter((a) => a.role !== 'coordinator').map((a) => runConfiguredAgent(flags(a.id), io, stop.signal));
    const code = await runConfiguredAgent(flags(plan.coordinatorId), io, stop.signal);
    stop.abort();
    expect(await Promise.all(others)).toEqual([0, 0, 0, 0]);
    expect(code).toBe(0);
    const events = out.map((line) => JSON.parse(line) as { event: string; agent: string; summary?: { accounting: { completedOnce: number; lost: number } } });
    expect(events.filter((e) => e.event === 'ready').map((e) => e.agent).sort()).toEqual(plan.agents.map((a) => a.id).sort());
    expect(events.some((e) => e.event === 'progress')).toBe(true);
    const summary = events.find((e) => e.event === 'summary')!.summary!;
    expect(summary.accounting).toMatchObject({ completedOnce: 60, lost: 0 });
    const scraped = Object.fromEntries(await Promise.all(scrapes));
    expect(scraped[plan.coordinatorId]).toContain(`qe_fleet_tasks{state="open",agent="${plan.coordinatorId}",role="coordinator"}`);
    expect(scraped[plan.coordinatorId]).toContain(`qe_fleet_duplicate_results_total{agent="${plan.coordinatorId}",role="coordinator"} 0`);
    expect(scraped[plan.executorIds[0]!]).toContain(`qe_fleet_tasks_accepted_total{agent="${plan.executorIds[0]}",role="executor"}`);
    expect(scraped[plan.analyserId]).toContain(`qe_fleet_predictions_served_total{agent="${plan.analyserId}",role="analyser"}`);
  }, 120_000);
});
