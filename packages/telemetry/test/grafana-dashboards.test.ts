import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from '@jest/globals';
import { createTelemetryMetrics } from '../src/index';
import { exposedSeriesNames, PROMETHEUS_SYNTHETIC_SERIES } from './support/exposed-names';
import { GRAFANA_DIR } from './support/paths';
import { promqlMetricNames } from './support/promql-metric-names';
import { recordingRuleNames } from './support/rule-files';

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos?: { h: number; w: number; x: number; y: number };
  targets?: Array<{ expr?: string; refId: string }>;
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: unknown }> };
}

const dashboardDir = join(GRAFANA_DIR, 'dashboards');
const files = readdirSync(dashboardDir).filter((f) => f.endsWith('.json'));
const dashboards = files.map((file) => ({
  file,
  json: JSON.parse(readFileSync(join(dashboardDir, file), 'utf8')) as Dashboard,
}));
const exprs = (d: Dashboard) =>
  d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })));

describe('Grafana dashboards', () => {
  it('has the transport, neural model and system health dashboards with unique uids', () => {
    expect(files.sort()).toEqual(['neural-model.json', 'system-health.json', 'transport.json']);
    const uids = dashboards.map((d) => d.json.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it.each(dashboards.map((d) => [d.file, d.json] as const))(
    '%s: every panel has an id, a position, the templated data source and a query',
    (_file, d) => {
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(d.templating.list.map((v) => v.name)).toEqual(['datasource', 'instance']);
      for (const panel of d.panels) {
        expect([panel.title, panel.datasource]).toEqual([panel.title, { type: 'prometheus', uid: '${datasource}' }]);
        expect(panel.gridPos!.x + panel.gridPos!.w).toBeLessThanOrEqual(24);
        expect(panel.targets!.length).toBeGreaterThan(0);
        for (const target of panel.targets!) expect(target.expr!.length).toBeGreaterThan(0);
      }
    },
  );

  it('every metric named in a panel query is exposed by the registry or is a recording rule', async () => {
    const exposed = await exposedSeriesNames(createTelemetryMetrics({ memoryLimitBytes: 1 }));
    const known = new Set([...exposed, ...recordingRuleNames(), ...PROMETHEUS_SYNTHETIC_SERIES]);
    const unknown: string[] = [];
    let checked = 0;
    for (const { file, json } of dashboards) {
      for (const { panel, expr } of exprs(json)) {
        const names = promqlMetricNames(expr);
        expect([panel, names.length > 0]).toEqual([panel, true]);
        for (const name of names) {
          checked++;
          if (!known.has(name)) unknown.push(`${file} / ${panel}: ${name}`);
        }
      }
    }
    expect(unknown).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('the check catches a metric the registry does not expose', async () => {
    const exposed = await exposedSeriesNames(createTelemetryMetrics({ memoryLimitBytes: 1 }));
    expect(promqlMetricNames('rate(agentlink_mesages_sent_total[5m])').filter((n) => !exposed.has(n))).toEqual([
      'agentlink_mesages_sent_total',
    ]);
  });

  it('shows the seed metrics: QUIC connections and p95 latency, accuracy, prediction latency, memory', () => {
    const names = (file: string) =>
      new Set(exprs(dashboards.find((d) => d.file === file)!.json).flatMap((e) => promqlMetricNames(e.expr)));
    expect([...names('transport.json')]).toEqual(
      expect.arrayContaining([
        'quic_connections_active',
        'tcp_connections_active',
        'quic_latency_p95',
        'agentlink_breaker_state',
        'agentlink_certificate_expiry_seconds',
      ]),
    );
    expect([...names('neural-model.json')]).toEqual(
      expect.arrayContaining([
        'neural_accuracy',
        'neural_prediction_latency_seconds_bucket',
        'neural_prediction_fallbacks_total',
      ]),
    );
    expect([...names('system-health.json')]).toEqual(
      expect.arrayContaining(['up', 'process_resident_memory_bytes', 'agentlink_memory_limit_bytes']),
    );
  });

  it('provisions the dashboards folder and a Prometheus data source whose uid the dashboards default to', () => {
    const provider = readFileSync(join(GRAFANA_DIR, 'provisioning', 'dashboards', 'agentlink.yml'), 'utf8');
    expect(provider).toMatch(/type: file/);
    expect(provider).toMatch(/path: \/var\/lib\/grafana\/dashboards\/agentlink/);
    const datasource = readFileSync(join(GRAFANA_DIR, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8');
    expect(datasource).toMatch(/uid: agentlink-prometheus/);
    for (const { json } of dashboards) {
      const variable = json.templating.list.find((v) => v.name === 'datasource') as unknown as {
        current: { value: string };
      };
      expect(variable.current.value).toBe('agentlink-prometheus');
    }
  });
});
