import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROMETHEUS_DIR } from './paths';

/** Text of every rule file under ops/prometheus/rules. */
export function ruleFileTexts(): string[] {
  const dir = join(PROMETHEUS_DIR, 'rules');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** Names of the recording rules (`- record: name`). */
export function recordingRuleNames(): string[] {
  return ruleFileTexts().flatMap((text) => [...text.matchAll(/^\s*- record:\s*(\S+)\s*$/gm)].map((m) => m[1]));
}

export interface AlertRule {
  name: string;
  body: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The alert rules with their labels and annotations (our files use one `key: value` per line). */
export function alertRules(): AlertRule[] {
  return ruleFileTexts().flatMap((text) =>
    text
      .split(/^\s*- alert:\s*/m)
      .slice(1)
      .map((block) => {
        const name = block.slice(0, block.indexOf('\n')).trim();
        const section = (key: string) => {
          const match = new RegExp(`^(\\s*)${key}:\\s*\\n((?:\\1\\s+\\S.*\\n?)*)`, 'm').exec(block);
          const entries = [...(match?.[2] ?? '').matchAll(/^\s*([a-z_]+):\s*(.*)$/gm)].map((m) => [
            m[1],
            m[2].replace(/^"(.*)"$/, '$1'),
          ]);
          return Object.fromEntries(entries) as Record<string, string>;
        };
        return { name, body: block, labels: section('labels'), annotations: section('annotations') };
      }),
  );
}
