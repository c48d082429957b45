import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { runConfiguredAgent } from '../../src/config/run-configured-agent';
import { planFleet } from '../../src/fleet/fleet-plan';
import { configuredAgentFlags, useSavedModel, writeConfiguredFleet } from '../support/configured-fleet';

const fixture = useSavedModel('qe-fleet-rounds-');

// Issue 16: after an executor died, every later round waited 60 s for it before dispatching.
describe('a configured coordinator running rounds', () => {
  it('remembers a dead executor across rounds: the next round starts at once, skips it until it answers', async () => {
    const plan = planFleet(5);
    const dead = 'executor-2';
    const files = await writeConfiguredFleet(fixture(), plan, 4);
    const coordinatorFile = files.get(plan.coordinatorId)!;
    const config = JSON.parse(await readFile(coordinatorFile, 'utf8')) as { suite: Record<string, unknown> };
    await writeFile(coordinatorFile, JSON.stringify({ ...config, suite: { ...config.suite, rounds: 2, pauseS: 1 } }));
    const stops = new Map(plan.agents.map((a) => [a.id, new AbortController()]));
    const lines: Array<{ at: number; text: string }> = [];
    const note = (text: string): void => {
      lines.push({ at: performance.now(), text });
      if (text.includes('"event":"progress"') && !stops.get(dead)!.signal.aborted) stops.get(dead)!.abort();
    };
    const io = { out: note, err: note };
    const flags = (id: string) => configuredAgentFlags(files, id);
    const others = plan.agents
      .filter((a) => a.role !== 'coordinator')
      .map((a) => runConfiguredAgent(flags(a.id), io, stops.get(a.id)!.signal));
    const code = await runConfiguredAgent(flags(plan.coordinatorId), io, stops.get(plan.coordinatorId)!.signal);
    for (const stop of stops.values()) stop.abort();
    expect(await Promise.all(others)).toEqual([0, 0, 0, 0]);
    expect(code).toBe(0);
    const summaries = lines.filter((l) => l.text.includes('"event":"summary"'));
    expect(summaries).toHaveLength(2);
    const round2 = lines.find((l) => l.text.includes('round 2:'))!;
    expect(round2.text).toContain(`3/4 peers answer (not: ${dead})`);
    // Round 2 began after the 1 s pause, not after a 60 s wait for the dead executor.
    expect(round2.at - summaries[0]!.at).toBeLessThan(10_000);
    type Summary = { summary: { accounting: { completedOnce: number; lost: number; tasks: number } } };
    const second = (JSON.parse(summaries[1]!.text) as Summary).summary;
    expect(second.accounting).toMatchObject({ tasks: 60, completedOnce: 60, lost: 0 });
  }, 150_000);
});
