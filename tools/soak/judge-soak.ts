/**
 * Re-judges a recorded soak (the JSON lines fleet-soak.ts wrote) with the current drift checks,
 * e.g. after changing a limit: prints each check and exits 1 on failure.
 *
 * Run: npx tsx tools/soak/judge-soak.ts tools/soak/results/fleet-quic-3600s.jsonl
 */
import { readFileSync } from 'node:fs';
import { judgeDrift, type SoakSample } from './drift-checks';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: npx tsx tools/soak/judge-soak.ts <samples.jsonl>');
const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { type: string } & SoakSample);
const samples = lines.filter((l) => l.type === 'sample');
const verdict = judgeDrift(samples);
for (const check of verdict.checks) console.log(`${check.passed ? 'pass' : 'FAIL'}  ${check.name}: ${check.detail}`);
console.log(`verdict: ${verdict.passed ? 'PASS' : 'FAIL'} (${samples.length} samples from ${file})`);
process.exitCode = verdict.passed ? 0 : 1;
