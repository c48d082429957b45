import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';

/*
 * One source of rules: the shipped files under ops/prometheus/rules. The live alert test runs
 * them with each alert's `for` shortened, the only parameter (five minutes per scenario would not
 * fit in CI); real-for-check.ts proves the shipped `for` on the series the scenarios produce.
 */

/** The shortened `for` of each shipped one. A new `for` must be added here (the test refuses it). */
export const SHORT_FOR: Readonly<Record<string, string>> = { '5m': '30s', '2m': '15s' };

interface Rule {
  alert?: string;
  record?: string;
  for?: string;
  [key: string]: unknown;
}
interface RuleFile {
  groups: Array<{ name: string; rules: Rule[] }>;
}

/** The shipped rule files (absolute paths). */
export function shippedRuleFiles(root: string): string[] {
  const dir = path.join(root, 'ops/prometheus/rules');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => path.join(dir, f));
}

/** The shipped `for` of every alert that has one, in seconds, by alert name. */
export function shippedForSeconds(root: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const file of shippedRuleFiles(root)) {
    for (const rule of (parse(readFileSync(file, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules)) {
      if (rule.alert !== undefined) out.set(rule.alert, rule.for === undefined ? 0 : seconds(rule.for));
    }
  }
  return out;
}

/** Prometheus durations used by the rules: `30s`, `5m`, `1h`. */
export function seconds(duration: string): number {
  const match = /^(\d+)([smh])$/.exec(duration);
  if (match === null) throw new Error(`unsupported duration "${duration}"`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
}

const withoutFor = (file: RuleFile): unknown =>
  file.groups.map((g) => ({ ...g, rules: g.rules.map(({ for: _ignored, ...rest }) => rest) }));

/**
 * Writes the shipped rule files into `dir` with every alert's `for` replaced by `SHORT_FOR`, checks
 * that nothing else differs (parsed, rule by rule) and that promtool accepts them; returns the paths.
 */
export async function rulesWithShortFor(root: string, dir: string, promtool?: string): Promise<string[]> {
  const out: string[] = [];
  for (const file of shippedRuleFiles(root)) {
    const shipped = parse(readFileSync(file, 'utf8')) as RuleFile;
    const short = parse(readFileSync(file, 'utf8')) as RuleFile;
    for (const rule of short.groups.flatMap((g) => g.rules)) {
      if (rule.for === undefined) continue;
      const replaced = SHORT_FOR[rule.for];
      if (replaced === undefined) throw new Error(`${rule.alert}: no shortened for for "${rule.for}" in SHORT_FOR`);
      rule.for = replaced;
    }
    if (!isDeepStrictEqual(withoutFor(shipped), withoutFor(short))) throw new Error(`${file}: more than for changed`);
    const target = path.join(dir, path.basename(file));
    await writeFile(target, stringify(short, { lineWidth: 0 }));
    out.push(target);
  }
  if (promtool !== undefined) {
    const check = spawnSync(promtool, ['check', 'rules', ...out], { encoding: 'utf8' });
    if (check.status !== 0)
      throw new Error(`promtool check rules refused the shortened rules:\n${check.stdout}${check.stderr}`);
  }
  return out;
}
