import { InvalidFlagError } from '../errors';
import type { AgentRole } from './agent-node';

export interface PlannedAgent {
  readonly id: string;
  readonly role: AgentRole;
}

/** Who is who in a fleet of `size` agents: one coordinator, analyser and reporter, the rest executors. */
export interface FleetPlan {
  readonly coordinatorId: string;
  readonly analyserId: string;
  readonly reporterId: string;
  readonly executorIds: readonly string[];
  readonly agents: readonly PlannedAgent[];
}

/** Plans a fleet; at least 4 agents (one executor). */
export function planFleet(size: number): FleetPlan {
  if (!Number.isInteger(size) || size < 4 || size > 200) {
    throw new InvalidFlagError('--agents', `need an integer from 4 to 200, got ${size}`);
  }
  const executorIds = Array.from({ length: size - 3 }, (_, i) => `executor-${i + 1}`);
  const agents: PlannedAgent[] = [
    { id: 'coordinator', role: 'coordinator' },
    { id: 'analyser', role: 'analyser' },
    { id: 'reporter', role: 'reporter' },
    ...executorIds.map((id) => ({ id, role: 'executor' as const })),
  ];
  return { coordinatorId: 'coordinator', analyserId: 'analyser', reporterId: 'reporter', executorIds, agents };
}
