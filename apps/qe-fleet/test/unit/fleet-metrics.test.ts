import { describe, expect, it } from '@jest/globals';
import { createTelemetryMetrics } from '@agentlink/telemetry';
import { TaskLedger } from '../../src/ledger/task-ledger';
import {
  defineAnalyserMetrics,
  defineCoordinatorMetrics,
  defineExecutorMetrics,
  RoundCounts,
} from '../../src/telemetry/fleet-metrics';

function agentMetrics(agent: string, role: string): ReturnType<typeof createTelemetryMetrics> {
  return createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1, defaultLabels: { agent, role } });
}

/** The qe_fleet_* sample lines of an exposition. */
async function fleetLines(metrics: ReturnType<typeof createTelemetryMetrics>): Promise<string[]> {
  return (await metrics.metrics()).split('\n').filter((line) => line.startsWith('qe_fleet_'));
}

describe('qe_fleet_* metrics on the agent registry', () => {
  it('coordinator: tasks by state and the ledger counters, read at each scrape', async () => {
    const metrics = agentMetrics('coordinator', 'coordinator');
    const counts = { tasks: 10, completedOnce: 4, duplicates: 1, unknownOutcome: 2 };
    defineCoordinatorMetrics(metrics, () => counts);
    expect(await fleetLines(metrics)).toEqual([
      'qe_fleet_tasks{state="completed",agent="coordinator",role="coordinator"} 4',
      'qe_fleet_tasks{state="open",agent="coordinator",role="coordinator"} 6',
      'qe_fleet_duplicate_results_total{agent="coordinator",role="coordinator"} 1',
      'qe_fleet_unknown_outcomes_total{agent="coordinator",role="coordinator"} 2',
    ]);
    counts.completedOnce = 10;
    expect(await fleetLines(metrics)).toContain(
      'qe_fleet_tasks{state="open",agent="coordinator",role="coordinator"} 0',
    );
  });

  it('executor: its stats and running tasks', async () => {
    const metrics = agentMetrics('executor-1', 'executor');
    defineExecutorMetrics(metrics, { stats: { accepted: 5, executions: 7, reruns: 2, resultRetries: 1 }, running: 3 });
    expect(await fleetLines(metrics)).toEqual([
      'qe_fleet_tasks_accepted_total{agent="executor-1",role="executor"} 5',
      'qe_fleet_test_executions_total{agent="executor-1",role="executor"} 7',
      'qe_fleet_test_reruns_total{agent="executor-1",role="executor"} 2',
      'qe_fleet_result_retries_total{agent="executor-1",role="executor"} 1',
      'qe_fleet_tasks_running{agent="executor-1",role="executor"} 3',
    ]);
  });

  it('analyser: predictions served and fallbacks', async () => {
    const metrics = agentMetrics('analyser', 'analyser');
    defineAnalyserMetrics(metrics, { predictions: 9, fallbacks: 1 });
    expect(await fleetLines(metrics)).toEqual([
      'qe_fleet_predictions_served_total{agent="analyser",role="analyser"} 9',
      'qe_fleet_prediction_fallbacks_total{agent="analyser",role="analyser"} 1',
    ]);
  });
});

describe('RoundCounts', () => {
  it('adds the counters up over rounds and shows the tasks of the current round', () => {
    const counts = new RoundCounts();
    expect(counts.read()).toEqual({ tasks: 0, completedOnce: 0, duplicates: 0, unknownOutcome: 0 });
    const first = new TaskLedger(['a', 'b']);
    counts.begin(first);
    const dispatch = first.dispatchNext('executor-1', 0)!;
    first.recordResult(dispatch.dispatchId, dispatch.taskId);
    first.recordResult(dispatch.dispatchId, dispatch.taskId); // a duplicate
    expect(counts.read()).toEqual({ tasks: 2, completedOnce: 1, duplicates: 1, unknownOutcome: 0 });
    counts.begin(new TaskLedger(['c', 'd', 'e']));
    expect(counts.read()).toEqual({ tasks: 3, completedOnce: 0, duplicates: 1, unknownOutcome: 0 });
  });
});
