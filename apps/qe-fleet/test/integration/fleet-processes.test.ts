import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { trainFlakinessModel } from '@agentlink/learning';
import { toDataset } from '../../src/model/learning-predictor';
import { readFlakeFlaggerSuite, resolveDataDir } from '../../src/suite/suite-files';
import { freeRange } from '../support/free-range';
import { namespaceSupport } from '@agentlink/test-harness';
import { DEFAULT_FLEET_OPTIONS, type FleetOptions } from '../../src/fleet/fleet-options';
import { runProcessFleet } from '../../src/fleet/process-fleet';

function options(overrides: Partial<FleetOptions>): FleetOptions {
  return { ...DEFAULT_FLEET_OPTIONS, timeoutS: 120, ...overrides };
}

const log = (line: string): void => {
  if (process.env['QE_FLEET_TEST_LOG'] === '1') console.log(line);
};

let modelDir: string | undefined;
afterAll(async () => {
  if (modelDir !== undefined) await rm(path.dirname(modelDir), { recursive: true, force: true });
});

/** A small model saved by @agentlink/learning, so the analyser loads it instead of training for a minute. */
async function savedModel(): Promise<string> {
  if (modelDir !== undefined) return modelDir;
  const dir = await mkdtemp(path.join(tmpdir(), 'qe-fleet-model-'));
  const data = toDataset(await readFlakeFlaggerSuite(resolveDataDir(undefined, process.cwd())));
  const trained = await trainFlakinessModel(data, { hiddenUnits: [8], maxEpochs: 2, batchSize: 512 });
  await trained.model.save(path.join(dir, 'model'));
  trained.model.dispose();
  modelDir = path.join(dir, 'model');
  return modelDir;
}



describe('qe-fleet as separate processes (test-harness fleet launcher, production config path)', () => {
  it('two executors SIGKILLed mid-run: the run completes, every task once, breakers open for dead peers', async () => {
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

  // Issue 16: agents listened for TCP on udpPort while peers dialled tcpPort (0/9 peers).
  it('--transport tcp: completes, each agent serves /metrics on --metrics-port + index, URLs printed', async () => {
    const base = await freeRange(5);
    const lines: string[] = [];
    const result = await runProcessFleet(
      options({ mode: 'processes', transport: 'tcp', agents: 5, suiteSize: 40, durationS: 2, metricsBasePort: base }),
      { log: (l) => lines.push(l) },
    );
    expect(result.exitCode).toBe(0);
    expect(result.summary.transport).toBe('tcp');
    expect(result.summary.accounting).toMatchObject({ tasks: 40, completedOnce: 40, lost: 0, phantom: 0 });
    const expected = Object.fromEntries(
      ['coordinator', 'analyser', 'reporter', 'executor-1', 'executor-2'].map((id, i) => [
        id,
        `http://127.0.0.1:${base + i}`,
      ]),
    );
    expect(result.metricsUrls).toEqual(expected);
    expect(lines.find((l) => l.startsWith('/metrics: '))).toContain(`http://127.0.0.1:${base} (coordinator)`);
  }, 240_000);

  it('--transport auto, short --timeout: the coordinator stops at the deadline, reports the unfinished', async () => {
    const startedAt = { at: 0 };
    const result = await runProcessFleet(
      options({
        mode: 'processes',
        transport: 'auto',
        agents: 5,
        suiteSize: 60,
        durationS: 120,
        timeoutS: 12,
        modelDir: await savedModel(),
      }),
      {
        log,
        onRunning: () => {
          startedAt.at = performance.now();
        },
      },
    );
    const afterRunning = performance.now() - startedAt.at;
    expect(result.summary.transport).toBe('auto');
    expect(result.summary.durationMs).toBeLessThan(12_000 + 1_500);
    expect(afterRunning).toBeLessThan(12_000 + 30_000);
    // Tasks were dispatched over the wire, but a 120 s suite cannot finish in 12 s: reported lost, exit 1.
    expect(result.summary.accounting.dispatches).toBeGreaterThan(0);
    expect(result.summary.accounting.completedOnce).toBeLessThan(60);
    expect(result.summary.accounting.lost).toBe(60 - result.summary.accounting.completedOnce);
    expect(result.exitCode).toBe(1);
  }, 240_000);

  it('refuses --fault outside in-process mode', async () => {
    await expect(
      runProcessFleet(options({ mode: 'processes', fault: { lossRate: 0.1, latencyMs: 0, jitterMs: 0 } })),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_FLAG' });
  });

  const support = namespaceSupport();
  (support.available ? it : it.skip)(
    'each agent in its own network namespace (separate hosts) completes the suite',
    async () => {
      const result = await runProcessFleet(options({ mode: 'namespaces', agents: 10, suiteSize: 120, durationS: 3 }), {
        log,
      });
      expect(result.exitCode).toBe(0);
      expect(result.summary.agents).toBe(10);
      expect(result.summary.accounting).toMatchObject({ tasks: 120, completedOnce: 120, lost: 0, phantom: 0 });
    },
    240_000,
  );
});
