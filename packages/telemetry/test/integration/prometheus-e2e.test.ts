import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createTelemetryMetrics, instrumentModel, startMetricsServer } from '../../src/index';
import type { MetricsServer, TelemetryMetrics } from '../../src/index';
import { findBinary, PROMETHEUS_REQUIRED, GRAFANA_DIR, PROMETHEUS_DIR, skipReason } from '../support/paths';
import { instrumentAll } from '../support/populate';
import type { InstrumentedSources } from '../support/populate';
import { eventually, startPrometheus } from '../support/prometheus-process';
import type { PrometheusProcess } from '../support/prometheus-process';

const binary = findBinary('prometheus');
const describeWithPrometheus = binary === undefined ? describe.skip : describe;
if (binary === undefined) console.warn(`Prometheus end-to-end test ${skipReason('prometheus')}`);

describe('prometheus availability', () => {
  it('is installed when AGENTLINK_REQUIRE_PROMETHEUS=1', () => {
    if (PROMETHEUS_REQUIRED) expect(binary === undefined ? skipReason('prometheus') : 'found').toBe('found');
  });
});

const JOB = 'agentlink-e2e';
// Network round trips (pings) take 40 ms, requests as their callers see them (with the
// handler's time) 400 ms: quic_latency_p95 must come from the round trips only.
const RTT_MS = 40;
const LATENCY_MS = 400;
// Every round trip lands in the (25 ms, 50 ms] bucket, so histogram_quantile interpolates p95
// linearly inside it: 0.025 + 0.025 * 0.95; every request in (250 ms, 500 ms]: 0.25 + 0.25 * 0.95.
const EXPECTED_P95_SECONDS = 0.04875;
const EXPECTED_REQUEST_P95_SECONDS = 0.4875;

describeWithPrometheus(
  `Prometheus scraping an instrumented process${binary === undefined ? ` (${skipReason('prometheus')})` : ''}`,
  () => {
    let metrics: TelemetryMetrics;
    let sources: InstrumentedSources;
    let legacyModel: EventEmitter;
    let detachLegacy: () => void;
    let server: MetricsServer;
    let prometheus: PrometheusProcess;

    /** The single value of an instant query, or undefined while it has no result yet. */
    const scalar = async (expr: string): Promise<number | undefined> => {
      const data = await prometheus.query(expr);
      if (data.result.length === 0) return undefined;
      expect(data.result).toHaveLength(1);
      return Number(data.result[0].value[1]);
    };
    const requests = (count: number) => {
      for (let i = 0; i < count; i++) {
        sources.transport.emit('requestCompleted', {
          transport: 'quic',
          peer: 'executor-1',
          method: 'task.run',
          latencyMs: LATENCY_MS,
          outcome: 'ok',
        });
        sources.transport.emit('roundTrip', { transport: 'quic', peer: 'executor-1', rttMs: RTT_MS });
      }
    };

    beforeAll(async () => {
      metrics = createTelemetryMetrics({ memoryLimitBytes: 8 * 1024 ** 3 });
      sources = instrumentAll(metrics);
      legacyModel = new EventEmitter();
      detachLegacy = instrumentModel(legacyModel, metrics, { model: 'legacy' });
      const { transport, breaker, model } = sources;
      for (const bytes of [100, 200, 300])
        transport.emit('messageSent', { transport: 'quic', peer: 'executor-1', method: 'task.run', bytes });
      for (const bytes of [10, 20])
        transport.emit('messageReceived', { transport: 'quic', peer: 'executor-1', method: 'task.run', bytes });
      transport.emit('connectionOpened', {
        transport: 'quic',
        peer: 'executor-1',
        direction: 'outbound',
        handshakeMs: 5,
      });
      transport.emit('certificateExpiry', { subject: 'coordinator', secondsLeft: 3 * 86_400 });
      breaker.emit('stateChange', { key: 'executor-3', from: 'closed', to: 'open' });
      model.emit('evaluation', { accuracy: 0.875 });
      legacyModel.emit('evaluation', { accuracy: 0.7 });
      requests(5);

      server = await startMetricsServer({ registry: metrics.registry });
      const ruleDir = join(PROMETHEUS_DIR, 'rules');
      const ruleFiles = readdirSync(ruleDir)
        .filter((f) => f.endsWith('.yml'))
        .map((f) => join(ruleDir, f));
      prometheus = await startPrometheus(binary!, { target: `127.0.0.1:${server.port}`, job: JOB, ruleFiles });
    }, 60_000);

    afterAll(async () => {
      await prometheus?.stop();
      await server?.close();
      detachLegacy?.();
      sources?.detach();
    }, 30_000);

    it('scrapes the /metrics endpoint successfully', async () => {
      expect(
        await eventually('a successful scrape', async () =>
          (await scalar(`up{job="${JOB}"}`)) === 1 ? 1 : undefined,
        ),
      ).toBe(1);
    });

    it('stores the exact counts the instrumentation recorded, sent and received apart', async () => {
      const sel = `{job="${JOB}", transport="quic", method="task.run"}`;
      await eventually('the first samples', () => scalar(`agentlink_messages_sent_total${sel}`));
      expect(await scalar(`agentlink_messages_sent_total${sel}`)).toBe(3);
      expect(await scalar(`agentlink_bytes_sent_total${sel}`)).toBe(600);
      expect(await scalar(`agentlink_messages_received_total${sel}`)).toBe(2);
      expect(await scalar(`agentlink_bytes_received_total${sel}`)).toBe(30);
      expect(await scalar(`quic_connections_active{job="${JOB}", direction="outbound"}`)).toBe(1);
      expect(await scalar(`quic_connections_active{job="${JOB}", direction="inbound"}`)).toBe(0);
      expect(await scalar(`agentlink_breaker_state{job="${JOB}", key="executor-3"}`)).toBe(2);
      expect(await scalar(`agentlink_certificate_expiry_seconds{job="${JOB}", subject="coordinator"}`)).toBe(
        3 * 86_400,
      );
      expect(await scalar(`neural_accuracy{job="${JOB}", model="flakiness"}`)).toBe(0.875);
      expect(await scalar(`agentlink_memory_limit_bytes{job="${JOB}"}`)).toBe(8 * 1024 ** 3);
      expect(await scalar(`process_resident_memory_bytes{job="${JOB}"}`)).toBeGreaterThan(0);
      const count = await scalar(
        `agentlink_request_duration_seconds_count{job="${JOB}", transport="quic", method="task.run", outcome="ok"}`,
      );
      expect(count).toBeGreaterThanOrEqual(5);
    });

    it('computes the quic_latency_p95 recording rule from the network round trips, not request latency', async () => {
      // rate() needs two samples that differ: wait for a scrape of the first five, then add more,
      // enough for the network p95's guard (at least 200 round trips in the window).
      await eventually('the first 5 requests to be scraped', async () =>
        (await scalar(`agentlink_request_duration_seconds_count{job="${JOB}", transport="quic"}`)) === 5
          ? true
          : undefined,
      );
      requests(250);
      const p95 = await eventually('quic_latency_p95', async () => {
        const value = await scalar(`quic_latency_p95{job="${JOB}"}`);
        return value !== undefined && Number.isFinite(value) ? value : undefined;
      });
      expect(p95).toBeCloseTo(EXPECTED_P95_SECONDS, 9);
      const perTransport = await scalar(
        `transport:agentlink_request_duration_seconds:p95{job="${JOB}", transport="quic"}`,
      );
      expect(perTransport).toBeCloseTo(EXPECTED_REQUEST_P95_SECONDS, 9);
    });

    it('loads the alert rules and evaluates them against the live data', async () => {
      const { groups } = await prometheus.api<{
        groups: Array<{ rules: Array<{ type: string; name: string; health: string }> }>;
      }>('/api/v1/rules');
      const rules = groups.flatMap((g) => g.rules);
      expect(
        rules
          .filter((r) => r.type === 'alerting')
          .map((r) => r.name)
          .sort(),
      ).toEqual([
        'AgentlinkCertificateExpiringSoon',
        'AgentlinkCircuitBreakerOpenTooLong',
        'AgentlinkMemoryHigh',
        'AgentlinkNeuralAccuracyLow',
        'AgentlinkQuicLatencyHigh',
        'AgentlinkScrapeDown',
      ]);
      type Alert = { labels: Record<string, string>; state: string };
      const alerts = await eventually('the breaker and accuracy alerts', async () => {
        const { alerts: list } = await prometheus.api<{ alerts: Alert[] }>('/api/v1/alerts');
        const names = list.map((a) => a.labels.alertname);
        return names.includes('AgentlinkCircuitBreakerOpenTooLong') &&
          names.includes('AgentlinkNeuralAccuracyLow') &&
          names.includes('AgentlinkCertificateExpiringSoon')
          ? list
          : undefined;
      });
      const find = (name: string) => alerts.filter((a) => a.labels.alertname === name);
      // Only the 0.7 model is below 80 %; the 0.875 one stays quiet.
      expect(find('AgentlinkNeuralAccuracyLow').map((a) => [a.labels.model, a.state])).toEqual([['legacy', 'firing']]);
      expect(find('AgentlinkCertificateExpiringSoon').map((a) => [a.labels.subject, a.state])).toEqual([
        ['coordinator', 'firing'],
      ]);
      // Open for seconds, not 5 minutes: pending, not firing.
      expect(find('AgentlinkCircuitBreakerOpenTooLong').map((a) => [a.labels.key, a.state])).toEqual([
        ['executor-3', 'pending'],
      ]);
      expect(find('AgentlinkScrapeDown')).toEqual([]);
      expect(rules.every((r) => r.health !== 'err')).toBe(true);
    });

    it('accepts every Grafana panel query (variables substituted) without a PromQL error', async () => {
      const dir = join(GRAFANA_DIR, 'dashboards');
      const exprs = readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .flatMap(
          (f) =>
            (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> })
              .panels,
        )
        .flatMap((p) =>
          p.targets.map((t) => t.expr.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.*')),
        );
      expect(exprs.length).toBeGreaterThan(30);
      const errors: string[] = [];
      for (const expr of exprs) {
        await prometheus.query(expr).catch((err: unknown) => errors.push(`${expr}: ${String(err)}`));
      }
      expect(errors).toEqual([]);
    });
  },
);
