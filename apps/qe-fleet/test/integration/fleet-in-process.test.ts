import { afterAll, describe, expect, it } from '@jest/globals';
import type { BreakerStateChange } from '@agentlink/resilience';
import { DEFAULT_FLEET_OPTIONS, type FleetOptions } from '../../src/fleet/fleet-options';
import { runFleet, type RunningFleet } from '../../src/fleet/run-fleet';
import { eventWithin, sharedPredictor } from '../support/shared-predictor';

const predictor = sharedPredictor();
afterAll(() => predictor.dispose());

/** Sum of the samples of `metric` in an exposition whose labels contain every `match` fragment. */
function sampleSum(exposition: string, metric: string, ...match: string[]): number {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) && match.every((fragment) => line.includes(fragment)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

function options(overrides: Partial<FleetOptions>): FleetOptions {
  return { ...DEFAULT_FLEET_OPTIONS, suiteSize: 150, durationS: 3, timeoutS: 90, ...overrides };
}

describe('qe-fleet in one process, real sockets', () => {
  it('10 agents over QUIC complete the suite, every task accounted for once, /metrics on every agent', async () => {
    const scraped: Record<string, string> = {};
    const result = await runFleet(options({ agents: 10, transport: 'quic' }), {
      createPredictor: predictor.create,
      onRunning: async (fleet: RunningFleet) => {
        // executor-1's first result, not the fleet's: which executor finishes first is a race.
        const fromExecutor1 = (booked: { executor: string }): boolean => booked.executor === 'executor-1';
        await eventWithin(fleet.coordinator, 'booked', fromExecutor1, 30_000);
        for (const [id, url] of [
          ['coordinator', fleet.coordinatorNode.telemetry.url],
          ...[...fleet.agents.values()].map((a) => [a.id, a.metricsUrl]),
        ] as const) {
          scraped[id] = await (await fetch(`${url}/metrics`)).text();
        }
      },
    });
    const { accounting } = result.record;
    expect(result.exitCode).toBe(0);
    expect(accounting).toMatchObject({ tasks: 150, completedOnce: 150, lost: 0, phantom: 0, duplicates: 0 });
    expect(Object.keys(result.record.results)).toHaveLength(150);
    // Ten agents, each with its own /metrics; the transport is instrumented and the app counts its tasks.
    expect(Object.keys(scraped)).toHaveLength(10);
    // The transport is instrumented: counts that only traffic makes (metric headers exist from start-up).
    // Scraped after executor-1's first booked result: the coordinator and every executor have exchanged messages.
    const busy = ['coordinator', ...[...Array(7).keys()].map((i) => `executor-${i + 1}`)];
    for (const id of busy) {
      const text = scraped[id]!;
      const counts = {
        opened: sampleSum(text, 'agentlink_connections_opened_total', 'transport="quic"'),
        sent: sampleSum(text, 'agentlink_messages_sent_total', 'transport="quic"'),
        received: sampleSum(text, 'agentlink_messages_received_total', 'transport="quic"'),
        bytesSent: sampleSum(text, 'agentlink_bytes_sent_total', 'transport="quic"'),
        active: sampleSum(text, 'quic_connections_active'),
      };
      expect([id, Object.entries(counts).filter(([, n]) => n < 1)]).toEqual([id, []]);
    }
    const answered = sampleSum(scraped.coordinator!, 'agentlink_request_duration_seconds_count', 'outcome="ok"');
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(scraped.coordinator).toMatch(
      /qe_fleet_tasks\{state="completed",agent="coordinator",role="coordinator"\} \d+/,
    );
    expect(scraped['executor-1']).toMatch(
      /qe_fleet_test_executions_total\{agent="executor-1",role="executor"\} [1-9]\d*/,
    );
    expect(scraped.analyser).toContain('qe_fleet_predictions_served_total{agent="analyser",role="analyser"}');
    expect(scraped.analyser).toContain('neural_prediction_latency_seconds');
    // Issue 16: set from start-up, not only after a reload or an hour: expiry, evaluation, breakers.
    expect(scraped.coordinator).toMatch(
      /agentlink_certificate_expiry_seconds\{subject="[^"]+",agent="coordinator",role="coordinator"\} \d+/,
    );
    expect(scraped.analyser).toMatch(/neural_accuracy\{model="[^"]+",agent="analyser",role="analyser"\} 0\.\d+/);
    expect(scraped.coordinator).toMatch(
      /agentlink_breaker_state\{key="executor-1",agent="coordinator",role="coordinator"\} 0/,
    );
    // Network latency (the coordinator's pings) and application latency (handler time) apart.
    expect(sampleSum(scraped.coordinator!, 'agentlink_network_rtt_seconds_count', 'transport="quic"')).toBeGreaterThan(
      0,
    );
    expect(
      sampleSum(scraped['executor-1']!, 'agentlink_handler_duration_seconds_count', 'method="fleet.ping"'),
    ).toBeGreaterThan(0);
    // Cross-agent requests: executors asked the analyser about their failures...
    const failures = Object.values(result.record.results).filter((r) => r.firstRunFailed);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((r) => r.prediction !== undefined && r.prediction.testId.length > 0)).toBe(true);
    const quarantined = Object.values(result.record.results).filter((r) => r.outcome === 'flaky');
    expect(quarantined.every((r) => r.prediction?.flaky === true && r.attempts > 1)).toBe(true);
    // ...and the reporter asked it about every suite test to compare with FlakeFlagger's labels.
    // Deadline fallbacks (under load) are counted apart from the model's answers.
    expect(result.summary.prediction.evaluated + result.summary.prediction.fallbacks).toBe(150);
    expect(result.summary.tests.passed + result.summary.tests.failed + result.summary.tests.quarantined).toBe(150);
    expect(result.summary.taskLatency.count).toBe(150);
    expect(new Set(Object.values(result.record.results).map((r) => r.executor)).size).toBe(7);
  });

  it('completes through a lossy, slow fault proxy; a partition opens the breaker and healing closes it', async () => {
    const transitions: BreakerStateChange[] = [];
    const result = await runFleet(
      options({ agents: 6, suiteSize: 200, durationS: 8, fault: { lossRate: 0.02, latencyMs: 10, jitterMs: 2 } }),
      {
        createPredictor: predictor.create,
        onRunning: async (fleet) => {
          fleet.coordinator.breakers.on('stateChange', (change) => transitions.push(change));
          const [proxy] = fleet.proxies.get('executor-1')!;
          await eventWithin(fleet.coordinator, 'booked', () => true, 30_000);
          proxy!.setFaults({ partition: true });
          await eventWithin<[BreakerStateChange]>(
            fleet.coordinator.breakers,
            'stateChange',
            (c) => c.key === 'executor-1' && c.to === 'open',
            20_000,
          );
          proxy!.clearFaults();
          await eventWithin<[BreakerStateChange]>(
            fleet.coordinator.breakers,
            'stateChange',
            (c) => c.key === 'executor-1' && c.to === 'closed',
            20_000,
          );
        },
      },
    );
    expect(result.exitCode).toBe(0);
    expect(result.record.accounting).toMatchObject({ tasks: 200, completedOnce: 200, lost: 0, phantom: 0 });
    expect(result.summary.breakers.trippedPeers).toContain('executor-1');
    expect(result.summary.breakers.recoveries).toBeGreaterThanOrEqual(1);
    expect(transitions.map((t) => `${t.key}:${t.to}`)).toEqual(
      expect.arrayContaining(['executor-1:open', 'executor-1:half-open', 'executor-1:closed']),
    );
    // What executor-1 held when its breaker opened had an unknown outcome and was re-dispatched.
    expect(result.record.accounting.unknownOutcome).toBeGreaterThan(0);
    expect(result.summary.retries.redispatches).toBeGreaterThan(0);
  });

  it('runs over TLS 1.3/TCP too', async () => {
    const result = await runFleet(options({ agents: 5, transport: 'tcp', suiteSize: 40, durationS: 1 }), {
      createPredictor: predictor.create,
    });
    expect(result.exitCode).toBe(0);
    expect(result.summary.transport).toBe('tcp');
    expect(result.record.accounting.completedOnce).toBe(40);
  });

  it("distributes this repository's own jest test files to executors in command mode", async () => {
    const result = await runFleet(
      options({ agents: 5, suite: 'jest', suiteFilter: 'resilience/test/b', timeoutS: 120 }),
      { createPredictor: predictor.create },
    );
    const ids = Object.keys(result.record.results);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(result.exitCode).toBe(0);
    expect(Object.values(result.record.results).every((r) => r.outcome === 'passed')).toBe(true);
    expect(result.summary.prediction.evaluated).toBe(0);
  });
});
