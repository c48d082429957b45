import { describe, expect, it } from '@jest/globals';
import { runQuicFuzz } from '../../src/quic-fuzz/fuzz-run';

// Issue 13: no network input ends the process or stops a good peer's traffic. A test-sized run;
// `tools/stress/quic-packet-fuzz.ts` sends 1,000,000 of each (BENCHMARKS.md).
const DATAGRAMS = Number(process.env['AGENTLINK_QUIC_FUZZ_DATAGRAMS'] ?? 10_000);
const RSS_LIMIT_MIB = 20;
const gc = (globalThis as { gc?: () => void }).gc;

describe('a production QUIC listener under fuzzed and random datagrams', () => {
  it.each([
    ['every QUIC packet form, mutated (Retry on)', 'packets', true],
    ['every QUIC packet form, mutated (Retry off)', 'packets', false],
    ['random bytes', 'random', true],
  ] as const)(
    '%s: the good client sees no error and new connections are accepted',
    async (_label, mode, retry) => {
      const uncaught: unknown[] = [];
      const onUncaught = (error: unknown): void => void uncaught.push(error);
      process.on('uncaughtException', onUncaught);
      try {
        // Warm the good connection first: its native footprint grows for the first ~10,000 requests.
      const seed = retry ? 11 : 12;
      const report = await runQuicFuzz({ mode, count: DATAGRAMS, retry, seed, warmupRequests: 10_000 });
        expect(report.sent).toBe(DATAGRAMS);
        // Most datagrams reached the listener (loopback may drop some under load).
        expect(report.listenerReceived).toBeGreaterThan(DATAGRAMS / 2);
        expect(report.goodRequests).toBeGreaterThan(0);
        expect(report.goodErrors).toEqual([]);
        expect(report.newConnectionAfter).toBe(true);
        if (gc !== undefined) expect(report.rssAfterMiB - report.rssBeforeMiB).toBeLessThan(RSS_LIMIT_MIB);
        if (mode === 'packets') {
          for (const form of ['initial', 'zero-rtt', 'handshake', 'retry', 'version-negotiation', 'short'] as const) {
            expect(report.counts.byForm[form]).toBeGreaterThan(0);
          }
          expect(report.counts.truncated).toBeGreaterThan(0);
          expect(report.counts.coalesced).toBeGreaterThan(0);
          expect(report.counts.knownCid).toBeGreaterThan(0);
        }
        expect(uncaught).toEqual([]);
      } finally {
        process.off('uncaughtException', onUncaught);
      }
    },
    120_000,
  );
});
