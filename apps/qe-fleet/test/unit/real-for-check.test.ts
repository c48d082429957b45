import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { findRepoRoot } from '../../src/suite/suite-files';
import { findPrometheus } from '../support/prometheus';
import { runRealForCheck, type CapturedSeries } from '../support/real-for-check';
import { rulesWithShortFor, SHORT_FOR, shippedForSeconds, shippedRuleFiles } from '../support/rule-files';

const binary = findPrometheus();
const REQUIRED = process.env['AGENTLINK_REQUIRE_PROMETHEUS'] === '1';
const describeWithPromtool = binary === undefined && !REQUIRED ? describe.skip : describe;
const root = findRepoRoot(process.cwd())!;
const T0 = 1_800_000_000;

/** A dead executor's breaker as the coordinator reports it: closed 20 s, then open, half-open every 2 s. */
function deadBreaker(seconds: number): CapturedSeries {
  const values: Array<[number, string]> = [];
  for (let t = 0; t < seconds; t += 1) values.push([T0 + t, t < 20 ? '0' : (t - 20) % 2 === 1 ? '1' : '2']);
  return {
    metric: { __name__: 'agentlink_breaker_state', job: 'agentlink-kill', instance: 'c:1', key: 'executor-2' },
    values,
  };
}

describeWithPromtool('shipped rules: one source, `for` the only parameter of the live test', () => {
  let dir: string;
  const promtool = path.join(path.dirname(binary ?? '/usr/bin/prometheus'), 'promtool');
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'qe-fleet-real-for-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  /** Replays `breaker` over `ruleFiles`: is the breaker alert pending from 20 s and firing after its real 5 m? */
  const checkBreakerAlert = (ruleFiles: string[], breaker: CapturedSeries) =>
    runRealForCheck(promtool, dir, {
      ruleFiles,
      series: [breaker],
      alertname: 'AgentlinkCircuitBreakerOpenTooLong',
      match: { key: 'executor-2' },
      activeAtS: T0 + 20,
      forS: 300,
    });

  it('the live test rules differ from the shipped ones in `for` alone, shortened by SHORT_FOR', async () => {
    const short = await rulesWithShortFor(root, dir, promtool);
    expect(short.map((f) => path.basename(f))).toEqual(shippedRuleFiles(root).map((f) => path.basename(f)));
    const rules = async (file: string): Promise<Array<Record<string, unknown>>> =>
      (
        parse(await readFile(file, 'utf8')) as { groups: Array<{ rules: Array<Record<string, unknown>> }> }
      ).groups.flatMap((g) => g.rules);
    const shipped = (await Promise.all(shippedRuleFiles(root).map(rules))).flat();
    const live = (await Promise.all(short.map(rules))).flat();
    expect(live.map(({ for: f, ...rest }) => [rest, f])).toEqual(
      shipped.map(({ for: f, ...rest }) => [rest, f === undefined ? undefined : SHORT_FOR[f as string]]),
    );
  });

  it('a dead breaker replayed over the shipped rules: pending until the real 5 minutes, firing after', async () => {
    expect(shippedForSeconds(root).get('AgentlinkCircuitBreakerOpenTooLong')).toBe(300);
    const result = await checkBreakerAlert(shippedRuleFiles(root), deadBreaker(90));
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('a target killed 3 s after its first scrape: ScrapeDown pending until 2m, then firing', async () => {
    // Only the part after the alert began is repeated, not the scrapes before the kill, even when the
    // alert's evaluation (2.4 s) rounds to the second before the first failed scrape (3.4 s).
    const values: Array<[number, string]> = [];
    for (let t = 0; t < 36; t += 1) values.push([T0 + t + 0.4, t < 3 ? '1' : '0']);
    const series = [{ metric: { __name__: 'up', job: 'agentlink-kill', instance: 'e:2' }, values }];
    const input = { ruleFiles: shippedRuleFiles(root), series, alertname: 'AgentlinkScrapeDown', forS: 120 };
    const result = await runRealForCheck(promtool, dir, { ...input, match: { instance: 'e:2' }, activeAtS: T0 + 2.4 });
    expect(result.output).toContain('SUCCESS');
  });

  it('a gauge scraped only every 5 s (none failed) is seen between scrapes: a no-for alert fires', async () => {
    const values: Array<[number, string]> = [];
    for (let t = 1; t < 40; t += 5) values.push([T0 + t, '0.4']);
    const series = [{ metric: { __name__: 'neural_accuracy', job: 'm', instance: 'a:1', model: 'x' }, values }];
    const scrapes = [
      {
        metric: { __name__: 'up', job: 'm', instance: 'a:1' },
        values: values.map(([t]): [number, string] => [t, '1']),
      },
    ];
    const input = { ruleFiles: shippedRuleFiles(root), series, scrapes, alertname: 'AgentlinkNeuralAccuracyLow' };
    const result = await runRealForCheck(promtool, dir, { ...input, match: {}, activeAtS: T0 + 4, forS: 0 });
    expect(result.output).toContain('SUCCESS');
  });

  it('fails when the rules hold the alert for another time than the one claimed (the check can fail)', async () => {
    // The shipped rules with 10 minutes instead of 5: not firing at 5 minutes and 15 s.
    const file = path.join(dir, 'agentlink-alerts.yml');
    const shipped = shippedRuleFiles(root).find((f) => f.endsWith('agentlink-alerts.yml'))!;
    await writeFile(file, (await readFile(shipped, 'utf8')).replaceAll('for: 5m', 'for: 10m'));
    const ruleFiles = shippedRuleFiles(root).map((f) => (f === shipped ? file : f));
    const result = await checkBreakerAlert(ruleFiles, deadBreaker(90));
    expect(result.output).toContain('FAILED');
    expect(result.code).not.toBe(0);
  });

  it('fails on series that do not hold the condition: a breaker that closes again after 5 s open', async () => {
    const recovered = deadBreaker(90);
    recovered.values.splice(25, 65, ...Array.from({ length: 65 }, (_, i): [number, string] => [T0 + 25 + i, '0']));
    const result = await checkBreakerAlert(shippedRuleFiles(root), recovered);
    expect(result.output).toContain('FAILED');
  });
});
