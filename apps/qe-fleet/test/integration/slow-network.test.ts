import { afterAll, describe, expect, it } from '@jest/globals';
import { createUdpFaultProxy } from '@agentlink/test-harness';
import { createDevelopmentCredentials } from '@agentlink/transport';
import { DEFAULT_FLEET_OPTIONS } from '../../src/fleet/fleet-options';
import { startAgentNode, type AgentNode } from '../../src/fleet/agent-node';
import { runFleet } from '../../src/fleet/run-fleet';
import { METHODS } from '../../src/messaging/protocol';
import { sharedPredictor } from '../support/shared-predictor';

/*
 * Issue 16: 150 ms each way (a 300 ms round trip) is slow, not dead. A QUIC handshake with Retry
 * and the hello takes about four round trips (1.2 s), longer than a 750 ms ping deadline: the
 * dial has its own budget, and pings wait as long as the round trips they have seen.
 */
const ONE_WAY_MS = 150;
const predictor = sharedPredictor();
afterAll(() => predictor.dispose());

describe('a slow but alive network (150 ms each way)', () => {
  it('a ping with a 750 ms deadline connects and answers: the dial has its own budget', async () => {
    const { agents } = await createDevelopmentCredentials({ agentIds: ['coordinator', 'executor-1'] });
    const nodes: AgentNode[] = [];
    const start = async (id: string, role: 'coordinator' | 'executor'): Promise<AgentNode> => {
      const node = await startAgentNode({ id, role, transport: 'quic', credentials: agents[id]!, development: true });
      nodes.push(node);
      return node;
    };
    const [coordinator, executor] = [await start('coordinator', 'coordinator'), await start('executor-1', 'executor')];
    executor.link.handle(METHODS.ping, () => ({ agentId: 'executor-1' }));
    const proxy = await createUdpFaultProxy({
      target: { host: executor.endpoint.host, port: executor.endpoint.port },
    });
    try {
      proxy.setFaults({ latencyMs: ONE_WAY_MS });
      coordinator.link.setDirectory(new Map([['executor-1', { ...proxy.address }]]));
      const startedAt = performance.now();
      await expect(coordinator.link.request('executor-1', METHODS.ping, {}, { timeoutMs: 750 })).resolves.toEqual({
        agentId: 'executor-1',
      });
      // It did need more than the ping's 750 ms: a handshake and a ping, each several round trips.
      expect(performance.now() - startedAt).toBeGreaterThan(750);
      // Round trips seen: the next dial to this peer may take four retransmission timeouts (>= 2 s).
      expect(coordinator.link.connectBudgetMs('executor-1')).toBeGreaterThanOrEqual(2_000);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await proxy.close();
    }
  }, 60_000);

  it('a fleet completes its suite with no breaker opened, pings waiting as long as the round trips', async () => {
    let pingDeadline = 0;
    const result = await runFleet(
      {
        ...DEFAULT_FLEET_OPTIONS,
        agents: 5,
        suiteSize: 40,
        durationS: 6,
        timeoutS: 90,
        fault: { lossRate: 0, latencyMs: ONE_WAY_MS, jitterMs: 0 },
      },
      {
        createPredictor: predictor.create,
        onRunning: async (fleet) => {
          await new Promise((resolve) => setTimeout(resolve, 5_000));
          pingDeadline = fleet.coordinator.pingDeadlineMs('executor-1');
        },
      },
    );
    expect(result.record.accounting).toMatchObject({ tasks: 40, completedOnce: 40, lost: 0 });
    // Slow, not dead: no executor's breaker left closed (no trip, no half-open trial).
    expect(result.record.breakerTransitions).toEqual([]);
    // Three retransmission timeouts of a 300 ms round trip: at least 900 ms, more than the 750 ms floor.
    expect(pingDeadline).toBeGreaterThanOrEqual(900);
  }, 150_000);
});
