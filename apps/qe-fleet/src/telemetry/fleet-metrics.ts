import type { TelemetryMetrics } from '@agentlink/telemetry';

/** The ledger counts the coordinator exports. */
export interface CoordinatorCounts {
  readonly tasks: number;
  readonly completedOnce: number;
  readonly duplicates: number;
  readonly unknownOutcome: number;
}

/** The counts an executor keeps. */
export interface ExecutorCounts {
  readonly stats: {
    readonly accepted: number;
    readonly executions: number;
    readonly reruns: number;
    readonly resultRetries: number;
  };
  readonly running: number;
}

/** The counts the analyser keeps. */
export interface AnalyserCounts {
  readonly predictions: number;
  readonly fallbacks: number;
}

// The agents keep their own counts; the metrics read them at each scrape. Every series carries
// the agent's `agent` and `role` default labels.

/** Registers the coordinator's `qe_fleet_*` metrics, read from `accounting()` at each scrape. */
export function defineCoordinatorMetrics(metrics: TelemetryMetrics, accounting: () => CoordinatorCounts): void {
  metrics.defineGauge({
    name: 'qe_fleet_tasks',
    help: 'Tasks of the suite by accounting state.',
    labelNames: ['state'],
    collect: () => {
      const a = accounting();
      return [
        { labels: { state: 'completed' }, value: a.completedOnce },
        { labels: { state: 'open' }, value: a.tasks - a.completedOnce },
      ];
    },
  });
  metrics.defineCounter({
    name: 'qe_fleet_duplicate_results_total',
    help: 'Results that arrived for an already completed task.',
    collect: () => accounting().duplicates,
  });
  metrics.defineCounter({
    name: 'qe_fleet_unknown_outcomes_total',
    help: 'Dispatches given up with an unknown outcome.',
    collect: () => accounting().unknownOutcome,
  });
}

/** Registers an executor's `qe_fleet_*` metrics. */
export function defineExecutorMetrics(metrics: TelemetryMetrics, executor: ExecutorCounts): void {
  metrics.defineCounter({
    name: 'qe_fleet_tasks_accepted_total',
    help: 'Tasks this executor accepted.',
    collect: () => executor.stats.accepted,
  });
  metrics.defineCounter({
    name: 'qe_fleet_test_executions_total',
    help: 'Test executions, reruns included.',
    collect: () => executor.stats.executions,
  });
  metrics.defineCounter({
    name: 'qe_fleet_test_reruns_total',
    help: 'Reruns of failures judged flaky.',
    collect: () => executor.stats.reruns,
  });
  metrics.defineCounter({
    name: 'qe_fleet_result_retries_total',
    help: 'Result deliveries retried.',
    collect: () => executor.stats.resultRetries,
  });
  metrics.defineGauge({
    name: 'qe_fleet_tasks_running',
    help: 'Tasks executing now.',
    collect: () => executor.running,
  });
}

/** Registers the analyser's `qe_fleet_*` metrics. */
export function defineAnalyserMetrics(metrics: TelemetryMetrics, analyser: AnalyserCounts): void {
  metrics.defineCounter({
    name: 'qe_fleet_predictions_served_total',
    help: 'Predictions served to the fleet.',
    collect: () => analyser.predictions,
  });
  metrics.defineCounter({
    name: 'qe_fleet_prediction_fallbacks_total',
    help: 'Predictions answered by the fallback.',
    collect: () => analyser.fallbacks,
  });
}

/**
 * The counts of a coordinator that runs the suite in rounds (a configured coordinator), each
 * round with a new ledger: the counters add up over the rounds so they never go back, the task
 * gauge shows the current (or last) round.
 */
export class RoundCounts {
  #earlierDuplicates = 0;
  #earlierUnknown = 0;
  #ledger: { accounting(): CoordinatorCounts } | undefined;

  /** Starts a round; the previous round's counts move into the totals. */
  begin(ledger: { accounting(): CoordinatorCounts }): void {
    if (this.#ledger !== undefined) {
      const last = this.#ledger.accounting();
      this.#earlierDuplicates += last.duplicates;
      this.#earlierUnknown += last.unknownOutcome;
    }
    this.#ledger = ledger;
  }

  /** The counts to export now. */
  read(): CoordinatorCounts {
    const now = this.#ledger?.accounting() ?? { tasks: 0, completedOnce: 0, duplicates: 0, unknownOutcome: 0 };
    return {
      tasks: now.tasks,
      completedOnce: now.completedOnce,
      duplicates: this.#earlierDuplicates + now.duplicates,
      unknownOutcome: this.#earlierUnknown + now.unknownOutcome,
    };
  }
}
