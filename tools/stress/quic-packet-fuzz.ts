/**
 * Stress: fuzzed QUIC datagrams (every packet form, truncated, coalesced, random versions,
 * random and live connection ids, random tokens and lengths), then a flood of random bytes, at a
 * production QuicTransport listener while a good client keeps sending requests. Fails (exit 1)
 * when a good request fails, the listener refuses a new connection afterwards, or RSS after GC
 * ends more than --rss-limit-mib (default 20) above its level before the burst.
 *
 * Build first: npx nx run-many -t build -p resilience transport test-harness
 * Run:   npx node --expose-gc --import tsx tools/stress/quic-packet-fuzz.ts [--datagrams 1000000]
 *        [--random 1000000] [--retry on|off] [--seed 1] [--warmup 40000] [--rss-limit-mib 20] [--out <file>.json]
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMarkdownTable, runQuicFuzz, type QuicFuzzReport } from '@agentlink/test-harness';
import { writeResult } from '../bench/bench-output';
import { describeMachine, machineInfo } from '../bench/machine-info';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    datagrams: { type: 'string', default: '1000000' },
    random: { type: 'string', default: '1000000' },
    retry: { type: 'string', default: 'on' },
    seed: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '40000' },
    'rss-limit-mib': { type: 'string', default: '20' },
    out: { type: 'string' },
  },
});
const machine = machineInfo();
console.log(describeMachine(machine));
const retry = values.retry !== 'off';
const limit = Number(values['rss-limit-mib']);
const runs: Array<{ mode: 'packets' | 'random'; report: QuicFuzzReport }> = [];
for (const [mode, count] of [
  ['packets', Number(values.datagrams)],
  ['random', Number(values.random)],
] as const) {
  if (count <= 0) continue;
  const report = await runQuicFuzz({
    mode,
    count,
    retry,
    seed: Number(values.seed),
    warmupRequests: Number(values.warmup),
    onProgress: (sent) =>
      console.log(`${mode}: ${sent} sent, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} MiB`),
  });
  runs.push({ mode, report });
}
const rows = runs.map(({ mode, report }) => ({
  mode,
  'datagrams sent': report.sent,
  'listener received': report.listenerReceived,
  'good requests': report.goodRequests,
  'good errors': report.goodErrors.length,
  'new connection after': report.newConnectionAfter ? 'yes' : 'NO',
  'RSS before (MiB)': Math.round(report.rssBeforeMiB * 10) / 10,
  'RSS after (MiB)': Math.round(report.rssAfterMiB * 10) / 10,
  seconds: Math.round(report.seconds),
}));
console.log(renderMarkdownTable(rows));
for (const { mode, report } of runs) console.log(mode, JSON.stringify(report.counts));
const file = writeResult(
  `quic-packet-fuzz-${values.datagrams}-retry-${values.retry}`,
  { machine, retry, runs },
  values.out === undefined ? undefined : path.resolve(here, values.out),
);
console.log(`wrote ${file}`);
const failed = runs.some(
  ({ report }) =>
    report.goodErrors.length > 0 || !report.newConnectionAfter || report.rssAfterMiB - report.rssBeforeMiB > limit,
);
process.exit(failed ? 1 : 0);
