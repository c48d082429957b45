import { describe, expect, it } from '@jest/globals';
import type { RunRecord } from '../../src/agents/run-record';
import { accountingHolds, buildSummary } from '../../src/report/fleet-summary';
import { LatencyHistogram } from '../../src/report/latency-histogram';
import { comparePredictions } from '../../src/report/prediction-quality';
import { formatSummaryTable } from '../../src/report/summary-table';

describe('comparePredictions', () => {
  it('computes precision, recall and accuracy of the flaky class', () => {
    const predicted = new Map([
      ['a', true],
      ['b', true],
      ['c', false],
      ['d', false],
      ['e', true],
    ]);
    const truth = new Map([
      ['a', true],
      ['b', false],
      ['c', true],
      ['d', false],
    ]);
    const q = comparePredictions(predicted, truth);
    expect(q).toMatchObject({
      evaluated: 4,
      truePositives: 1,
      falsePositives: 1,
      falseNegatives: 1,
      trueNegatives: 1,
    });
    expect(q.precision).toBeCloseTo(0.5);
    expect(q.recall).toBeCloseTo(0.5);
    expect(q.accuracy).toBeCloseTo(0.5);
  });

  it('reports undefined ratios as NaN rather than inventing them', () => {
    const q = comparePredictions(new Map([['a', false]]), new Map([['a', false]]));
    expect(q.precision).toBeNaN();
    expect(q.recall).toBeNaN();
    expect(comparePredictions(new Map(), new Map()).accuracy).toBeNaN();
  });
});

describe('LatencyHistogram', () => {
  it('gives percentiles within HDR precision and survives encoding across agents', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i += 1) h.record(i);
    h.record(-1);
    h.record(Number.NaN);
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.p50).toBeGreaterThan(495);
    expect(s.p50).toBeLessThan(505);
    expect(s.p99).toBeGreaterThan(985);
    expect(s.max).toBeGreaterThan(995);
    const merged = new LatencyHistogram();
    merged.addEncoded(h.encode());
    merged.addEncoded(h.encode());
    expect(merged.summary().count).toBe(2000);
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

function record(overrides: Partial<RunRecord> = {}): RunRecord {
  const latency = new LatencyHistogram();
  latency.record(12);
  latency.record(40);
  return {
    accounting: {
      tasks: 3,
      dispatches: 5,
      acknowledged: 3,
      completedOnce: 3,
      lost: 0,
      phantom: 0,
      unknownOutcome: 2,
      duplicates: 1,
    },
    results: {
      t1: { outcome: 'passed', attempts: 1, firstRunFailed: false, executor: 'e1' },
      t2: { outcome: 'flaky', attempts: 2, firstRunFailed: true, executor: 'e1' },
      t3: { outcome: 'failed', attempts: 3, firstRunFailed: true, executor: 'e2' },
    },
    taskLatency: latency.encode(),
    redispatches: 2,
    assignFailures: 1,
    refusals: 0,
    breakerTransitions: [
      { peer: 'e2', from: 'closed', to: 'open', atMs: 1 },
      { peer: 'e2', from: 'open', to: 'half-open', atMs: 2 },
      { peer: 'e2', from: 'half-open', to: 'closed', atMs: 3 },
    ],
    peerRefusals: [],
    durationMs: 1234,
    ...overrides,
  };
}

describe('buildSummary', () => {
  const input = {
    run: record(),
    agents: 6,
    transport: 'quic',
    truth: new Map([['A', false], ['B', true], ['C', true]]),
    testOfTask: new Map([['t1', 'A'], ['t2', 'B'], ['t3', 'C']]),
    predictions: [
      { testId: 'A', probability: 0.1, flaky: false, fallback: false, latencyMs: 1 },
      { testId: 'B', probability: 0.9, flaky: true, fallback: false, latencyMs: 2 },
      { testId: 'C', probability: 0.2, flaky: false, fallback: true, latencyMs: 100 },
    ],
    resultRetries: 4,
  };

  it('derives test outcomes, reruns, quarantine, prediction quality, retries and breaker trips', () => {
    const s = buildSummary(input);
    expect(s.tests).toEqual({
      passed: 1,
      failedFirstRun: 2,
      failed: 1,
      reruns: 3,
      quarantined: 1,
      quarantinedTrulyFlaky: 1,
    });
    // C's answer is a deadline fallback, not the model's: left out of the ratios, counted apart.
    expect(s.prediction).toMatchObject({
      evaluated: 2,
      truePositives: 1,
      falseNegatives: 0,
      trueNegatives: 1,
      precision: 1,
      recall: 1,
      fallbacks: 1,
    });
    expect(s.taskLatency.count).toBe(2);
    expect(s.predictionLatency.count).toBe(3);
    expect(s.retries).toEqual({ redispatches: 2, assignFailures: 1, resultRetries: 4 });
    expect(s.breakers).toEqual({ trips: 1, recoveries: 1, trippedPeers: ['e2'] });
  });

  // Issue 16: a model that always timed out scored about 0.96 "accuracy" (fallbacks say "not flaky").
  it('gives a model whose every answer was a fallback no accuracy, and counts the fallbacks', () => {
    const truth = new Map(Array.from({ length: 25 }, (_, i) => [`T${i}`, i === 0] as const));
    const predictions = [...truth.keys()].map((testId) => ({
      testId,
      probability: 0,
      flaky: false,
      fallback: true,
      latencyMs: 100,
    }));
    const s = buildSummary({ ...input, truth, predictions });
    expect(s.prediction.evaluated).toBe(0);
    expect(s.prediction.accuracy).toBeNaN();
    expect(s.prediction.fallbacks).toBe(25);
    expect(formatSummaryTable(s)).toMatch(/prediction fallbacks\s+\| 25 /);
  });

  it('prints every column of the table', () => {
    const table = formatSummaryTable(buildSummary(input));
    for (const label of [
      'tasks',
      'completed exactly once',
      'lost',
      'never sent (phantom)',
      'unknown outcome',
      'duplicates',
      'failures (first run)',
      'reruns',
      'flaky found',
      'prediction precision',
      'prediction recall',
      'task latency',
      'retries',
      'breaker trips (e2)'.split(' (')[0]!,
    ]) {
      expect(table).toContain(label);
    }
    expect(table).toContain('6 agents over quic');
    expect(table).toContain('(e2)');
    const empty = formatSummaryTable(
      buildSummary({
        ...input,
        predictions: [],
        run: record({ breakerTransitions: [], taskLatency: new LatencyHistogram().encode() }),
      }),
    );
    expect(empty).toContain('n/a');
    // As the reporter sends it across the fleet: NaN becomes null in JSON.
    const crossed = JSON.parse(JSON.stringify(buildSummary({ ...input, predictions: [] })));
    expect(formatSummaryTable(crossed)).toMatch(/prediction precision\s+\| n\/a/);
    expect(empty).toContain('no samples');
  });

  it('holds the accounting only when nothing is lost or invented', () => {
    expect(accountingHolds(record().accounting)).toBe(true);
    expect(accountingHolds({ ...record().accounting, lost: 1, completedOnce: 2 })).toBe(false);
    expect(accountingHolds({ ...record().accounting, phantom: 1 })).toBe(false);
  });
});
