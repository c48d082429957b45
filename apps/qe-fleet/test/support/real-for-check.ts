import { spawnSync } from 'node:child_process';
import { copyFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LivePrometheus, PromAlert } from './prometheus';
import { shippedForSeconds, shippedRuleFiles } from './rule-files';

/*
 * The live alert test shortens each alert's `for` (rule-files.ts). This proves the shipped `for`:
 * the raw series a scenario produced (captured from the live Prometheus when its alert fired) are
 * replayed by `promtool test rules` over the shipped rule files, continued by repeating their last
 * minute until past the real `for`, and the alert must be pending before `for` and firing after.
 */

export interface CapturedSeries {
  readonly metric: Record<string, string>;
  readonly values: Array<[number, string]>;
}

export interface RealForInput {
  /** The shipped rule files (absolute paths), with the real `for`. */
  readonly ruleFiles: readonly string[];
  /** Raw samples of every input series of the alert, from the live Prometheus. */
  readonly series: readonly CapturedSeries[];
  /** `up` of the same targets: a failed scrape (0) ends the series it scraped before. */
  readonly scrapes?: readonly CapturedSeries[];
  readonly alertname: string;
  /** Labels that pick the alert out (e.g. the executor's `key`). */
  readonly match: Record<string, string>;
  /** When the live alert went active, unix seconds. */
  readonly activeAtS: number;
  /** The shipped `for` of the alert, in seconds. */
  readonly forS: number;
}

/** Seconds either side of the expected moment: replaying at 1 s steps may move the start a little. */
const MARGIN_S = 15;
/** Length of the repeated tail, in seconds. */
const PERIOD_S = 60;
/** Prometheus's lookback: a sample older than this is not seen. */
const LOOKBACK_S = 300;

const isCounter = (name: string): boolean => /_(bucket|count|sum|total)$/.test(name);

/**
 * One value per second from `startS` for `steps` steps: the last sample at or before, as
 * Prometheus sees it: none once a scrape of its target failed after it (`failures`, the times
 * of `up == 0`: a failed scrape marks the target's series stale) or past the lookback.
 */
function resample(
  values: ReadonlyArray<[number, string]>,
  startS: number,
  steps: number,
  failures: readonly number[],
): Array<number | undefined> {
  const out: Array<number | undefined> = [];
  let i = 0;
  for (let step = 0; step < steps; step += 1) {
    const t = startS + step;
    while (i + 1 < values.length && values[i + 1]![0] <= t) i += 1;
    const [at, value] = values[i]!;
    const stale = at > t || t - at > LOOKBACK_S || failures.some((f) => f > at && f <= t);
    out.push(stale ? undefined : Number(value));
  }
  return out;
}

/**
 * Continues `values` to `total` steps by repeating their last PERIOD_S steps, none before
 * `tailFrom` (the alert's start: what repeats is the state that made it), counters increasing.
 */
function extend(values: Array<number | undefined>, total: number, counter: boolean, tailFrom: number) {
  const captured = values.length;
  const period = Math.max(1, captured - Math.max(tailFrom, captured - PERIOD_S));
  const last = values[captured - 1];
  const first = values[captured - period];
  const gain = counter && last !== undefined && first !== undefined ? last - first : 0;
  for (let step = captured; step < total; step += 1) {
    const earlier = values[step - period];
    values.push(earlier === undefined ? undefined : earlier + (counter ? gain : 0));
  }
  return values;
}

/** promtool's series notation: a gap right after a sample is a staleness marker, as when a target stops. */
const notation = (values: ReadonlyArray<number | undefined>): string =>
  values.map((v, i) => (v !== undefined ? String(v) : i > 0 && values[i - 1] !== undefined ? 'stale' : '_')).join(' ');

const selector = (metric: Record<string, string>): string => {
  const { __name__: name, ...labels } = metric;
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
};

/** The promtool unit test (YAML, JSON-compatible) for one alert. */
export function realForTest(input: RealForInput): { yaml: string; firstS: number } {
  const firstS = Math.floor(Math.min(...input.series.flatMap((s) => s.values.map(([t]) => t))));
  // The last 2 s are left out: a series scraped just before the capture and one scraped just
  // after would otherwise end on a gap that the repetition turns into a staleness every period.
  const lastS = Math.floor(Math.max(...input.series.flatMap((s) => s.values.map(([t]) => t)))) - 2;
  const activeS = Math.round(input.activeAtS - firstS);
  const total = Math.max(lastS - firstS + 1, activeS + input.forS + 2 * MARGIN_S);
  const failuresOf = (s: CapturedSeries): number[] =>
    (input.scrapes ?? [])
      .filter((up) => up.metric['instance'] === s.metric['instance'] && s.metric['__name__'] !== 'up')
      .flatMap((up) => up.values.filter(([, v]) => v === '0').map(([t]) => t));
  const inputSeries = input.series.map((s) => ({
    series: selector(s.metric),
    values: notation(
      extend(
        resample(s.values, firstS, lastS - firstS + 1, failuresOf(s)),
        total,
        isCounter(s.metric['__name__'] ?? ''),
        // From 2 s after the alert began: its evaluation may round to the second before the state.
        activeS + 2,
      ),
    ),
  }));
  const match = Object.entries({ alertname: input.alertname, ...input.match }).map(
    ([k, v]) => `${k}=${JSON.stringify(v)}`,
  );
  const count = (state: string): string =>
    `count by (alertname) (ALERTS{${[...match, `alertstate="${state}"`].join(', ')}})`;
  const present = [{ labels: `{alertname=${JSON.stringify(input.alertname)}}`, value: 1 }];
  // An alert without `for` fires at the evaluation that finds it true; a gauge's sample may go
  // stale a second later (a scrape that timed out), so look for firing within a few seconds.
  const firingNear = `max_over_time((${count('firing')})[8s:1s])`;
  const tests =
    input.forS === 0
      ? [{ expr: firingNear, eval_time: `${activeS + 5}s`, exp_samples: present }]
      : [
          { expr: count('pending'), eval_time: `${activeS + input.forS - MARGIN_S}s`, exp_samples: present },
          { expr: count('firing'), eval_time: `${activeS + input.forS - MARGIN_S}s`, exp_samples: [] },
          { expr: count('firing'), eval_time: `${activeS + input.forS + MARGIN_S}s`, exp_samples: present },
        ];
  const doc = {
    rule_files: input.ruleFiles,
    evaluation_interval: '1s',
    tests: [{ interval: '1s', input_series: inputSeries, promql_expr_test: tests }],
  };
  return { yaml: JSON.stringify(doc, null, 1), firstS };
}

/** Writes the test to `dir` and runs `promtool test rules` on it; a failed test is kept in the temp directory. */
export async function runRealForCheck(
  promtool: string,
  dir: string,
  input: RealForInput,
): Promise<{ code: number | null; output: string }> {
  const file = path.join(dir, `real-for-${input.alertname}.test.yml`);
  await writeFile(file, realForTest(input).yaml);
  const run = spawnSync(promtool, ['test', 'rules', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  let output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) {
    const kept = path.join(tmpdir(), `qe-fleet-real-for-${input.alertname}-${process.pid}.test.yml`);
    await copyFile(file, kept);
    output += `\n(test kept in ${kept})`;
  }
  return { code: run.status, output };
}

/** When an alert went active, in unix seconds (Prometheus gives nanoseconds in an ISO date). */
export function activeAtSeconds(alert: PromAlert): number {
  return Date.parse(alert.activeAt.replace(/(\.\d{3})\d*Z$/, '$1Z')) / 1000;
}

/**
 * Captures the raw series behind a live alert (everything `selector` matches in the last 15
 * minutes) and proves with `promtool test rules` that the shipped rules, real `for` included,
 * hold the alert pending and then fire it on them.
 */
export async function proveShippedFor(
  live: { prometheus: LivePrometheus; promtool: string; dir: string; root: string },
  alert: PromAlert,
  selector: string,
  match: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const alertname = alert.labels['alertname']!;
  const forS = shippedForSeconds(live.root).get(alertname);
  if (forS === undefined) throw new Error(`${alertname} is not a shipped alert`);
  const series = await live.prometheus.samples(`${selector}[15m]`);
  const scrapes = await live.prometheus.samples(`up{job=${JSON.stringify(alert.labels['job'])}}[15m]`);
  const input = {
    ruleFiles: shippedRuleFiles(live.root),
    series,
    scrapes,
    alertname,
    match,
    activeAtS: activeAtSeconds(alert),
    forS,
  };
  return runRealForCheck(live.promtool, live.dir, input);
}
