import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from '@jest/globals';
import { createTelemetryMetrics } from '../src/index';
import { findBinary, PROMETHEUS_REQUIRED, PROMETHEUS_DIR, REPO_ROOT, skipReason } from './support/paths';
import { defineAppMetrics, emitOneOfEach, instrumentAll } from './support/populate';
import { LINT_REFUSED_NAMES } from './support/refused-names';
import { runProcess } from './support/run-process';

const promtool = findBinary('promtool');
const describeWithPromtool = promtool === undefined ? describe.skip : describe;
if (promtool === undefined) console.warn(`promtool tests ${skipReason('promtool')}`);

describe('promtool availability', () => {
  it('is installed when AGENTLINK_REQUIRE_PROMETHEUS=1', () => {
    if (PROMETHEUS_REQUIRED) expect(promtool === undefined ? skipReason('promtool') : 'found').toBe('found');
  });
});

const ruleFiles = readdirSync(join(PROMETHEUS_DIR, 'rules'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join('ops/prometheus/rules', f));
const testFiles = readdirSync(join(PROMETHEUS_DIR, 'tests'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join('ops/prometheus/tests', f));

describeWithPromtool(`promtool${promtool === undefined ? ` (${skipReason('promtool')})` : ''}`, () => {
  it('finds rule files and rule tests to check', () => {
    expect(ruleFiles.length).toBeGreaterThanOrEqual(2);
    expect(testFiles.length).toBeGreaterThanOrEqual(2);
  });

  it('check rules: every rule file is valid', async () => {
    const result = await runProcess(promtool!, ['check', 'rules', ...ruleFiles], { cwd: REPO_ROOT });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.match(/SUCCESS/g)).toHaveLength(ruleFiles.length);
  });

  it('test rules: every alert fires on its condition and stays quiet just below it', async () => {
    const result = await runProcess(promtool!, ['test', 'rules', ...testFiles], { cwd: REPO_ROOT });
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/FAILED/);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/SUCCESS/g)).toHaveLength(testFiles.length);
  });

  it('check metrics: a fully populated registry, application metrics included, exposes clean text', async () => {
    const metrics = createTelemetryMetrics({ peerLabels: true, defaultLabels: { agent: 'executor-1' } });
    emitOneOfEach(instrumentAll(metrics));
    defineAppMetrics(metrics);
    const exposition = await metrics.metrics();
    for (const series of [
      'app_jobs_total{outcome="ok",agent="executor-1"} 3',
      'app_restarts_total{agent="executor-1"} 2',
      'app_tasks{state="done",agent="executor-1"} 6',
    ]) {
      expect(exposition).toContain(series);
    }
    const result = await runProcess(promtool!, ['check', 'metrics'], { stdin: exposition });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.code).toBe(0);
  });

  // The refusals are not stricter than promtool.
  it('check metrics: flags every name defineCounter/defineGauge refuse for a lint rule', async () => {
    for (const [why, type, name] of LINT_REFUSED_NAMES) {
      const result = await runProcess(promtool!, ['check', 'metrics'], {
        stdin: `# HELP ${name} x\n# TYPE ${name} ${type}\n${name} 1\n`,
      });
      expect([why, result.code]).toEqual([why, 3]);
      expect([why, result.stdout + result.stderr]).toEqual([why, expect.stringContaining(name)]);
    }
  });

  it('check metrics: notices a badly named metric (the check can fail)', async () => {
    const result = await runProcess(promtool!, ['check', 'metrics'], {
      stdin: '# HELP x_total a gauge\n# TYPE x_total gauge\nx_total 1\n',
    });
    expect(result.stdout + result.stderr).toMatch(/_total/);
    expect(result.code).not.toBe(0);
  });
});
