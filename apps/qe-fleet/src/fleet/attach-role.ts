import { InvalidOptionsError } from '@agentlink/resilience';
import { AnalyserAgent } from '../agents/analyser-agent';
import { ExecutorAgent } from '../agents/executor-agent';
import { ReporterAgent } from '../agents/reporter-agent';
import type { FlakinessPredictor } from '../model/flakiness-predictor';
import type { AgentNode } from './agent-node';
import type { FleetPlan } from './fleet-plan';

/** A role attached to a running node. */
export interface AttachedRole {
  readonly executor?: ExecutorAgent;
  readonly analyser?: AnalyserAgent;
  readonly reporter?: ReporterAgent;
  close(): Promise<void>;
}

/** Gives an executor, analyser or reporter node its behaviour and its app metrics. */
export function attachRole(node: AgentNode, plan: FleetPlan, predictor?: FlakinessPredictor): AttachedRole {
  const agent = { agent: node.id };
  if (node.role === 'executor') {
    const executor = new ExecutorAgent({ link: node.link, coordinatorId: plan.coordinatorId, analyserId: plan.analyserId });
    node.setAppMetrics(() => [
      { name: 'qe_fleet_tasks_accepted_total', help: 'Tasks this executor accepted.', type: 'counter', value: executor.stats.accepted, labels: agent },
      { name: 'qe_fleet_test_executions_total', help: 'Test executions, reruns included.', type: 'counter', value: executor.stats.executions, labels: agent },
      { name: 'qe_fleet_test_reruns_total', help: 'Reruns of failures judged flaky.', type: 'counter', value: executor.stats.reruns, labels: agent },
      { name: 'qe_fleet_result_retries_total', help: 'Result deliveries retried.', type: 'counter', value: executor.stats.resultRetries, labels: agent },
      { name: 'qe_fleet_tasks_running', help: 'Tasks executing now.', type: 'gauge', value: executor.running, labels: agent },
    ]);
    return { executor, close: () => executor.close() };
  }
  if (node.role === 'analyser') {
    if (predictor === undefined) throw new InvalidOptionsError('the analyser needs a predictor');
    const analyser = new AnalyserAgent({ link: node.link, predictor });
    if (predictor.telemetrySource !== undefined) node.telemetry.observeModel(predictor.telemetrySource);
    node.setAppMetrics(() => [
      { name: 'qe_fleet_predictions_served_total', help: 'Predictions served to the fleet.', type: 'counter', value: analyser.predictions, labels: agent },
      { name: 'qe_fleet_prediction_fallbacks_total', help: 'Predictions answered by the fallback.', type: 'counter', value: analyser.fallbacks, labels: agent },
    ]);
    return { analyser, close: async () => predictor.dispose() };
  }
  if (node.role === 'reporter') {
    const reporter = new ReporterAgent({ link: node.link, analyserId: plan.analyserId });
    return { reporter, close: async () => undefined };
  }
  throw new InvalidOptionsError(`attachRole does not handle the ${node.role} role; the fleet runner creates the coordinator`);
}
