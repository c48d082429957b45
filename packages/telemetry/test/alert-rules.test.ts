import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from '@jest/globals';
import { createTelemetryMetrics } from '../src/index';
import { exposedSeriesNames, PROMETHEUS_SYNTHETIC_SERIES } from './support/exposed-names';
import { PROMETHEUS_DIR, REPO_ROOT } from './support/paths';
import { promqlMetricNames } from './support/promql-metric-names';
import { alertRules, recordingRuleNames, ruleFileTexts } from './support/rule-files';

const alerts = alertRules();
const alertTests = readFileSync(join(PROMETHEUS_DIR, 'tests', 'agentlink-alerts.test.yml'), 'utf8');

describe('Prometheus rules', () => {
  it('defines the four seed alerts plus breaker-open-too-long and scrape-down', () => {
    expect(alerts.map((a) => a.name).sort()).toEqual([
      'AgentlinkCertificateExpiringSoon',
      'AgentlinkCircuitBreakerOpenTooLong',
      'AgentlinkMemoryHigh',
      'AgentlinkNeuralAccuracyLow',
      'AgentlinkQuicLatencyHigh',
      'AgentlinkScrapeDown',
    ]);
  });

  it('uses the seed thresholds', () => {
    const expr = (name: string) => /expr:\s*(.*)/.exec(alerts.find((a) => a.name === name)!.body)![1];
    expect(expr('AgentlinkCertificateExpiringSoon')).toBe('agentlink_certificate_expiry_seconds < 7 * 86400');
    expect(expr('AgentlinkQuicLatencyHigh')).toBe('quic_latency_p95 > 0.1');
    expect(alerts.find((a) => a.name === 'AgentlinkQuicLatencyHigh')!.body).toMatch(/for: 5m/);
    expect(expr('AgentlinkNeuralAccuracyLow')).toBe('neural_accuracy < 0.8');
    expect(expr('AgentlinkMemoryHigh')).toBe(
      'process_resident_memory_bytes / on (job, instance) agentlink_memory_limit_bytes > 0.8',
    );
  });

  it.each(alerts.map((a) => [a.name, a] as const))(
    '%s has severity, summary, description and a runbook that exists',
    (_name, alert) => {
      expect(['critical', 'warning', 'info']).toContain(alert.labels.severity);
      expect(alert.annotations.summary?.length).toBeGreaterThan(10);
      expect(alert.annotations.description?.length).toBeGreaterThan(40);
      const runbook = alert.annotations.runbook_url;
      expect(runbook).toMatch(/^docs\/runbooks\/[a-z-]+\.md$/);
      const path = join(REPO_ROOT, runbook);
      expect(existsSync(path)).toBe(true);
      const page = readFileSync(path, 'utf8');
      expect(page).toContain(`# ${alert.name}`);
      for (const section of ['## What it means', '## How to confirm', '## How to fix']) {
        expect(page).toContain(section);
      }
    },
  );

  it.each(alerts.map((a) => [a.name]))('%s has promtool test cases', (name) => {
    expect(alertTests).toContain(`alertname: ${name}`);
  });

  it('records quic_latency_p95 from the network round-trip histogram, not request (handler) latency', () => {
    expect(recordingRuleNames()).toEqual(
      expect.arrayContaining([
        'quic_latency_p95',
        'transport:agentlink_request_duration_seconds:p95',
        'method:agentlink_handler_duration_seconds:p95',
      ]),
    );
    const text = ruleFileTexts().join('\n');
    const recordHead = /record: quic_latency_p95\n\s+expr: \|\n\s+histogram_quantile\(0\.95,\n/.source;
    expect(text).toMatch(new RegExp(`${recordHead}.*agentlink_network_rtt_seconds_bucket\\{transport="quic"\\}`));
  });

  it('every metric a rule uses is exposed by the registry, recorded by a rule, or made by Prometheus', async () => {
    const known = new Set([
      ...(await exposedSeriesNames(createTelemetryMetrics({ memoryLimitBytes: 1 }))),
      ...recordingRuleNames(),
      ...PROMETHEUS_SYNTHETIC_SERIES,
    ]);
    const exprs = ruleFileTexts().flatMap((text) =>
      [...text.matchAll(/expr: (?:\|\n((?:\s{10,}.*\n?)+)|(.*))/g)].map((m) => m[1] ?? m[2]),
    );
    expect(exprs.length).toBe(12);
    const unknown = exprs.flatMap((e) => promqlMetricNames(e)).filter((n) => !known.has(n));
    expect(unknown).toEqual([]);
  });
});
