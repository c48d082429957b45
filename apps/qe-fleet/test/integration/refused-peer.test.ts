import { afterAll, describe, expect, it } from '@jest/globals';
import { createTestPki } from '@agentlink/test-harness';
import { DEFAULT_FLEET_OPTIONS } from '../../src/fleet/fleet-options';
import { planFleet } from '../../src/fleet/fleet-plan';
import { runFleet } from '../../src/fleet/run-fleet';
import { formatSummaryTable } from '../../src/report/summary-table';
import { sharedPredictor } from '../support/shared-predictor';

const predictor = sharedPredictor();
afterAll(() => predictor.dispose());

// Issue 15 item 3: a peer whose certificate is refused is a peer failure, not a task failure to retry at once.
describe('an executor holding a certificate from another CA', () => {
  it.each(['quic', 'tcp'] as const)(
    'over %s: its breaker opens, no task is lost or run twice, and the log and summary name it with the reason',
    async (transport) => {
      const plan = planFleet(10);
      const refused = 'executor-7';
      const pki = await createTestPki({ agentIds: plan.agents.map((a) => a.id), badAgentId: refused });
      // wrongCa: signed by an unrelated CA (it still trusts the fleet CA): every peer refuses its chain.
      const credentials = { ...pki.agents, [refused]: pki.bad.wrongCa };
      const lines: string[] = [];
      const result = await runFleet(
        { ...DEFAULT_FLEET_OPTIONS, agents: 10, transport, suiteSize: 150, durationS: 3, timeoutS: 90 },
        { createPredictor: predictor.create, credentials, log: (line) => lines.push(line) },
      );
      const { record, summary } = result;
      expect(result.exitCode).toBe(0);
      expect(record.accounting).toMatchObject({ tasks: 150, completedOnce: 150, lost: 0, phantom: 0, duplicates: 0 });
      expect(Object.values(record.results).filter((r) => r.executor === refused)).toEqual([]);
      // The refusals counted towards its breaker: it opened, and dispatching to it stopped.
      expect(
        record.breakerTransitions.filter((t) => t.peer === refused && t.to === 'open').length,
      ).toBeGreaterThanOrEqual(1);
      expect(record.breakerTransitions.filter((t) => t.peer !== refused)).toEqual([]);
      expect(record.assignFailures).toBeLessThan(50);
      // Named with its typed code and reason (the chain is not from the fleet CA).
      expect(summary.refusedPeers).toEqual([
        expect.objectContaining({ peer: refused, code: 'ERR_CERT_VERIFICATION' }),
      ]);
      expect(summary.refusedPeers[0]!.reason).toMatch(/\S/);
      const row = formatSummaryTable(summary)
        .split('\n')
        .find((l) => l.includes(`refused peer ${refused} `));
      expect(row).toContain(`| ERR_CERT_VERIFICATION (${summary.refusedPeers[0]!.reason})`);
      expect(
        lines.filter((l) => l.includes(`peer ${refused} refused`) && l.includes('ERR_CERT_VERIFICATION')),
      ).toHaveLength(1);
    },
  );
});
