import { describe, expect, it } from '@jest/globals';
import { namespaceSupport } from '@agentlink/test-harness';
import { DEFAULT_FLEET_OPTIONS, type FleetOptions } from '../../src/fleet/fleet-options';
import { runProcessFleet } from '../../src/fleet/process-fleet';

function options(overrides: Partial<FleetOptions>): FleetOptions {
  return { ...DEFAULT_FLEET_OPTIONS, timeoutS: 120, ...overrides };
}

const log = (): void => undefined;

describe('qe-fleet as separate processes (test-harness fleet launcher, production config path)', () => {
  it('two executors SIGKILLed mid-run: the run completes, every task once, breakers open for the dead peers', async () => {
    const killed: Array<{ id: string; signal: string | null }> = [];
    const result = await runProcessFleet(options({ mode: 'processes', agents: 10, suiteSize: 200, durationS: 8 }), {
      log,
      onRunning: async ({ fleet, plan }) => {
        // Kill once the coordinator reports progress: both executors hold tasks then.
        await fleet.agent(plan.coordinatorId).waitForLine((line) => line.includes('"event":"progress"'), 120_000);
        for (const id of ['executor-1', 'executor-2']) {
          await fleet.kill(id, 'SIGKILL');
          killed.push({ id, signal: (await fleet.waitForExit(id, 10_000)).signal });
        }
      },
    });
    expect(killed).toEqual([{ id: 'executor-1', signal: 'SIGKILL' }, { id: 'executor-2', signal: 'SIGKILL' }]);
    expect(result.exitCode).toBe(0);
    expect(result.summary.accounting).toMatchObject({ tasks: 200, completedOnce: 200, lost: 0, phantom: 0 });
    expect(result.summary.breakers.trippedPeers).toEqual(expect.arrayContaining(['executor-1', 'executor-2']));
    // The dead executors' tasks had an unknown outcome and went to the others.
    expect(result.summary.accounting.unknownOutcome).toBeGreaterThan(0);
    expect(result.summary.accounting.dispatches).toBeGreaterThan(200);
  }, 240_000);

  it('refuses --fault outside in-process mode', async () => {
    await expect(runProcessFleet(options({ mode: 'processes', fault: { lossRate: 0.1, latencyMs: 0, jitterMs: 0 } }))).rejects.toMatchObject({ code: 'ERR_INVALID_FLAG' });
  });

  const support = namespaceSupport();
  (support.available ? it : it.skip)('each agent in its own network namespace (separate hosts) completes the suite', async () => {
    const result = await runProcessFleet(options({ mode: 'namespaces', agents: 10, suiteSize: 120, durationS: 3 }), { log });
    expect(result.exitCode).toBe(0);
    expect(result.summary.agents).toBe(10);
    expect(result.summary.accounting).toMatchObject({ tasks: 120, completedOnce: 120, lost: 0, phantom: 0 });
  }, 240_000);
});
