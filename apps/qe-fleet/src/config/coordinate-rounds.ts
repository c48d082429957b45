import { sleep, type BreakerGroup } from '@agentlink/resilience';
import { CoordinatorAgent, createExecutorBreakers } from '../agents/coordinator-agent';
import { refusalLine, refusalOf } from '../agents/peer-refusals';
import type { ReportSubmission } from '../agents/reporter-agent';
import { waitForPeers } from '../agents/wait-for-peers';
import type { AgentNode } from '../fleet/agent-node';
import type { FleetOptions } from '../fleet/fleet-options';
import type { FleetPlan } from '../fleet/fleet-plan';
import type { PreparedRun } from '../fleet/prepare-run';
import { METHODS } from '../messaging/protocol';
import { accountingHolds, type FleetSummary } from '../report/fleet-summary';
import { formatSummaryTable } from '../report/summary-table';
import { defineCoordinatorMetrics, RoundCounts } from '../telemetry/fleet-metrics';
import type { FleetConfig } from './fleet-config';
import type { Io } from './run-configured-agent';

export interface CoordinateRoundsInput {
  readonly node: AgentNode;
  readonly config: FleetConfig;
  readonly plan: FleetPlan;
  readonly prepared: PreparedRun;
  readonly options: FleetOptions;
  readonly io: Io;
  readonly stop?: AbortSignal;
  /** How long the first round waits for peers to answer, in ms. Default 60,000. */
  readonly peerWaitMs?: number;
}

interface Round {
  readonly input: CoordinateRoundsInput;
  readonly breakers: BreakerGroup;
  readonly counts: RoundCounts;
  readonly round: number;
  readonly deadline: AbortSignal;
}

/**
 * A configured coordinator: runs the suite `suite.rounds` times (0 = forever) and prints each
 * summary; resolves with 1 if any round lost or invented a task. Keeps one breaker per executor
 * for the agent's lifetime, so an executor that died (or whose certificate is refused) stays
 * open across rounds: later rounds neither wait for it nor dispatch to it until the heartbeat
 * finds it answering, and its breaker gauge stays steady.
 */
export async function coordinateRounds(input: CoordinateRoundsInput): Promise<number> {
  const { node, config, plan, io, stop } = input;
  const log = (line: string): void => io.err(`[${config.agent.id}] ${line}`);
  const rounds = config.suite?.rounds ?? 1;
  const counts = new RoundCounts();
  defineCoordinatorMetrics(node.telemetry.metrics, () => counts.read());
  const breakers = createExecutorBreakers();
  const detach = node.telemetry.observeBreakers(breakers);
  const peers = [plan.analyserId, plan.reporterId, ...plan.executorIds];
  let exitCode = 0;
  try {
    for (let round = 1; rounds === 0 || round <= rounds; round += 1) {
      // --timeout bounds the whole round, the wait for peers included.
      const deadline = AbortSignal.any([AbortSignal.timeout(input.options.timeoutS * 1000), ...(stop ? [stop] : [])]);
      const ready = await waitForPeers(node.link, peers, input.peerWaitMs ?? 60_000, {
        signal: deadline,
        knownDown: (peer) => breakers.state(peer) !== 'closed',
        onRefused: (peer, error) => log(refusalLine({ peer, ...refusalOf(error)!, failures: 1 })),
      });
      const down = peers.filter((p) => !ready.includes(p));
      const missing = down.length > 0 ? ` (not: ${down.join(', ')})` : '';
      const answering = `${ready.length}/${peers.length} peers answer${missing}`;
      log(`round ${round}: ${answering}; dispatching ${input.prepared.tasks.size} tasks`);
      if ((await runRound({ input, breakers, counts, round, deadline })) !== 0) exitCode = 1;
      if (stop?.aborted === true || (rounds !== 0 && round === rounds)) break;
      await sleep((config.suite?.pauseS ?? 30) * 1000, stop).catch(() => undefined);
    }
  } finally {
    detach();
    breakers.close();
  }
  return exitCode;
}

async function runRound({ input, breakers, counts, round, deadline }: Round): Promise<number> {
  const { node, config, plan, prepared, options, io } = input;
  const log = (line: string): void => io.err(`[${config.agent.id}] ${line}`);
  const leaseMs = Math.max(30_000, options.durationS * 1000);
  const coordinator = new CoordinatorAgent({
    link: node.link,
    executors: plan.executorIds,
    tasks: prepared.tasks,
    leaseMs,
    breakers,
  });
  counts.begin(coordinator.ledger);
  coordinator.on('peerRefused', (r) => log(refusalLine(r)));
  coordinator.on('booked', ({ completed }) => {
    if (completed % 25 === 0) {
      io.out(JSON.stringify({ event: 'progress', agent: config.agent.id, completed, tasks: prepared.tasks.size }));
    }
  });
  const record = await coordinator.run(deadline);
  coordinator.close();
  const submission: ReportSubmission = {
    run: record,
    agents: plan.agents.length,
    transport: config.transport,
    executors: plan.executorIds,
    tests: prepared.reportTests,
  };
  const summary = await node.link.request<FleetSummary>(plan.reporterId, METHODS.report, submission, {
    timeoutMs: 60_000,
  });
  io.out(
    options.json
      ? JSON.stringify({ event: 'summary', agent: config.agent.id, round, summary })
      : formatSummaryTable(summary),
  );
  return accountingHolds(record.accounting) ? 0 : 1;
}
