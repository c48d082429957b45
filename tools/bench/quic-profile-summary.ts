/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package,
 * and total (inclusive) time of the functions that matter for the QUIC round trip.
 *
 *   npx tsx tools/bench/quic-profile-summary.ts /tmp/prof/out/CPU.*.cpuprofile [top=30]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const file = process.argv[2];
const top = Number(process.argv[3] ?? 30);
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
prof.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const pkgOf = (url: string): string => {
  if (url === '') return '(native/VM)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  if (url.startsWith('node:')) return url.split('/')[0];
  return url.replace(/^file:\/\//, '');
};
const label = (n: Node): string => {
  const f = n.callFrame;
  const short = f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\//, '');
  return `${f.functionName || '(anon)'} ${short}${f.url ? `:${f.lineNumber + 1}` : ''}`;
};

const selfByFn = new Map<string, number>();
const selfByPkg = new Map<string, number>();
const inclByFn = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  selfByFn.set(label(n), (selfByFn.get(label(n)) ?? 0) + us);
  const p = pkgOf(n.callFrame.url);
  selfByPkg.set(p, (selfByPkg.get(p) ?? 0) + us);
  // Inclusive: charge every distinct frame on the stack once.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    inclByFn.set(l, (inclByFn.get(l) ?? 0) + us);
  }
}
const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const print = (title: string, m: Map<string, number>, k: number): void => {
  console.log(`\n## ${title}`);
  for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, k)) {
    console.log(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
  }
};
console.log(`profile ${file}: ${(total / 1000).toFixed(0)} ms sampled`);
print('self time by package', selfByPkg, 15);
print('self time by function', selfByFn, top);
print('inclusive time by function', inclByFn, top);
