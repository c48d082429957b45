/** Writes a benchmark's JSON next to the others (tools/bench/results/<name>.json) and says where. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

/** Writes `data` as pretty JSON to tools/bench/results/<name>.json (or `file` when given); returns the path. */
export function writeResult(name: string, data: unknown, file?: string): string {
  const target = file ?? path.join(resultsDir, `${name}.json`);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(data, null, 2)}\n`);
  return target;
}

/** Rounds a millisecond figure for tables and JSON (3 decimals; NaN stays NaN). */
export function ms(value: number): number {
  return Math.round(value * 1000) / 1000;
}
