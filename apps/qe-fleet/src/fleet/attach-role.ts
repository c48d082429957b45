import { InvalidOptionsError } from '@agentlink/resilience';
import { AnalyserAgent } from '../agents/analyser-agent';
import { ExecutorAgent } from '../agents/executor-agent';
import { ReporterAgent } from '../agents/reporter-agent';
import type { EvaluationTest, FlakinessPredictor } from '../model/flakiness-predictor';
import { defineAnalyserMetrics, defineExecutorMetrics } from '../telemetry/fleet-metrics';
import type { AgentNode } from './agent-node';
import type { FleetPlan } from './fleet-plan';

/** A role attached to a running node. */
export interface AttachedRole {
  readonly executor?: ExecutorAgent;
  readonly analyser?: AnalyserAgent;
  readonly reporter?: ReporterAgent;
  close(): Promise<void>;
}

/** The suite's tests with labels and features: held out from training, so the analyser's evaluation set. */
export function evaluationSet(
  tests: ReadonlyArray<{ readonly flaky: boolean; readonly features?: Readonly<Record<string, number>> }>,
): EvaluationTest[] {
  return tests.filter((t) => t.features !== undefined).map((t) => ({ features: t.features!, flaky: t.flaky }));
}

/**
 * Gives an executor, analyser or reporter node its behaviour and its app metrics. The analyser
 * scores its model on `evaluation` (held-out tests) once telemetry observes it.
 */
export function attachRole(
  node: AgentNode,
  plan: FleetPlan,
  predictor?: FlakinessPredictor,
  evaluation: readonly EvaluationTest[] = [],
): AttachedRole {
  if (node.role === 'executor') {
    const executor = new ExecutorAgent({
      link: node.link,
      coordinatorId: plan.coordinatorId,
      analyserId: plan.analyserId,
    });
    defineExecutorMetrics(node.telemetry.metrics, executor);
    return { executor, close: () => executor.close() };
  }
  if (node.role === 'analyser') {
    if (predictor === undefined) throw new InvalidOptionsError('the analyser needs a predictor');
    const analyser = new AnalyserAgent({ link: node.link, predictor });
    if (predictor.telemetrySource !== undefined) node.telemetry.observeModel(predictor.telemetrySource);
    predictor.evaluate?.(evaluation);
    defineAnalyserMetrics(node.telemetry.metrics, analyser);
    return { analyser, close: async () => predictor.dispose() };
  }
  if (node.role === 'reporter') {
    const reporter = new ReporterAgent({ link: node.link, analyserId: plan.analyserId });
    return { reporter, close: async () => undefined };
  }
  throw new InvalidOptionsError(
    `attachRole does not handle the ${node.role} role; the fleet runner creates the coordinator`,
  );
}
