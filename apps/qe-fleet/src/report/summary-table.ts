import type { FleetSummary } from './fleet-summary';
import type { LatencySummary } from './latency-histogram';

/** NaN (no prediction of that kind) arrives as null once the summary has crossed the fleet as JSON. */
function ratio(value: number | null): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(3) : 'n/a';
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

/** " (a, b)" after the trip count, or nothing when no breaker tripped. */
function trippedPeers(peers: readonly string[]): string {
  return peers.length > 0 ? ` (${peers.join(', ')})` : '';
}

function percentiles(l: LatencySummary): string {
  return l.count === 0
    ? 'no samples'
    : `p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  max ${ms(l.max)}  (n=${l.count})`;
}

/** Renders the summary as a two-column text table. */
export function formatSummaryTable(summary: FleetSummary): string {
  const a = summary.accounting;
  const t = summary.tests;
  const p = summary.prediction;
  const rows: Array<[string, string] | 'rule'> = [
    ['fleet', `${summary.agents} agents over ${summary.transport}, ${(summary.durationMs / 1000).toFixed(1)} s`],
    'rule',
    ['tasks', `${a.tasks} (dispatches ${a.dispatches})`],
    ['completed exactly once', String(a.completedOnce)],
    ['lost', String(a.lost)],
    ['never sent (phantom)', String(a.phantom)],
    ['unknown outcome', `${a.unknownOutcome} dispatches (re-dispatched)`],
    ['duplicates', `${a.duplicates} (not counted twice)`],
    'rule',
    ['passed', String(t.passed)],
    ['failures (first run)', String(t.failedFirstRun)],
    ['failures (after reruns)', String(t.failed)],
    ['reruns', String(t.reruns)],
    ['flaky found (quarantined)', `${t.quarantined} (${t.quarantinedTrulyFlaky} labelled flaky by FlakeFlagger)`],
    'rule',
    ['prediction precision', ratio(p.precision)],
    ['prediction recall', ratio(p.recall)],
    [
      'prediction accuracy',
      `${ratio(p.accuracy)} on ${p.evaluated} model answers ` +
        `(TP ${p.truePositives} FP ${p.falsePositives} FN ${p.falseNegatives} TN ${p.trueNegatives})`,
    ],
    ['prediction fallbacks', `${p.fallbacks} (deadline or model failure; not in the ratios above)`],
    'rule',
    ['task latency', percentiles(summary.taskLatency)],
    ['prediction latency', percentiles(summary.predictionLatency)],
    'rule',
    [
      'retries',
      `${summary.retries.redispatches} re-dispatches, ${summary.retries.assignFailures} failed assignments, ` +
        `${summary.retries.resultRetries} result re-sends`,
    ],
    [
      'breaker trips',
      `${summary.breakers.trips}${trippedPeers(summary.breakers.trippedPeers)}, ` +
        `${summary.breakers.recoveries} recoveries`,
    ],
    ...(summary.refusedPeers ?? []).map((r): [string, string] => [
      `refused peer ${r.peer}`,
      `${r.code} (${r.reason}), ${r.failures} failed calls`,
    ]),
  ];
  const width = Math.max(...rows.map((r) => (r === 'rule' ? 0 : r[0].length)));
  const lines = rows.map((r) =>
    r === 'rule' ? `${'-'.repeat(width + 2)}+${'-'.repeat(40)}` : ` ${r[0].padEnd(width)} | ${r[1]}`,
  );
  return ['qe-fleet summary', ...lines].join('\n');
}
