import { describe, expect, it } from '@jest/globals';
import { runConfiguredAgent } from '../../src/config/run-configured-agent';
import { planFleet } from '../../src/fleet/fleet-plan';
import { configuredAgentFlags, useSavedModel, writeConfiguredFleet } from '../support/configured-fleet';

const fixture = useSavedModel('qe-fleet-configured-');

describe('agents started from production configuration files', () => {
  it('a 5-agent fleet of configured agents (one config each) completes a suite over QUIC', async () => {
    const plan = planFleet(5);
    const files = await writeConfiguredFleet(fixture(), plan, 1);
    const stop = new AbortController();
    const out: string[] = [];
    // Scrape each agent once it is ready: its role defines the qe_fleet_* metrics right after the ready
    // line.
    const scrapes: Array<Promise<[string, string]>> = [];
    const scrape = (agent: string, url: string): Promise<[string, string]> =>
      fetch(`${url}/metrics`).then(
        async (r) => [agent, await r.text()] as [string, string],
        (error: unknown) => [agent, `scrape failed: ${String(error)}`],
      );
    const io = {
      out: (line: string) => {
        out.push(line);
        const event = JSON.parse(line) as { event: string; agent: string; metrics?: string };
        if (event.event === 'ready') scrapes.push(scrape(event.agent, event.metrics!));
      },
      err: () => undefined,
    };
    const flags = (id: string) => configuredAgentFlags(files, id);
    const others = plan.agents
      .filter((a) => a.role !== 'coordinator')
      .map((a) => runConfiguredAgent(flags(a.id), io, stop.signal));
    const code = await runConfiguredAgent(flags(plan.coordinatorId), io, stop.signal);
    stop.abort();
    expect(await Promise.all(others)).toEqual([0, 0, 0, 0]);
    expect(code).toBe(0);
    type Event = { event: string; agent: string; summary?: { accounting: { completedOnce: number; lost: number } } };
    const events = out.map((line) => JSON.parse(line) as Event);
    const ready = events.filter((e) => e.event === 'ready').map((e) => e.agent);
    expect(ready.sort()).toEqual(plan.agents.map((a) => a.id).sort());
    expect(events.some((e) => e.event === 'progress')).toBe(true);
    const summary = events.find((e) => e.event === 'summary')!.summary!;
    expect(summary.accounting).toMatchObject({ completedOnce: 60, lost: 0 });
    const scraped = Object.fromEntries(await Promise.all(scrapes));
    const coordinator = `agent="${plan.coordinatorId}",role="coordinator"`;
    expect(scraped[plan.coordinatorId]).toContain(`qe_fleet_tasks{state="open",${coordinator}}`);
    expect(scraped[plan.coordinatorId]).toContain(`qe_fleet_duplicate_results_total{${coordinator}} 0`);
    const executor = `agent="${plan.executorIds[0]}",role="executor"`;
    expect(scraped[plan.executorIds[0]!]).toContain(`qe_fleet_tasks_accepted_total{${executor}}`);
    const analyser = `agent="${plan.analyserId}",role="analyser"`;
    expect(scraped[plan.analyserId]).toContain(`qe_fleet_predictions_served_total{${analyser}}`);
  }, 120_000);
});
