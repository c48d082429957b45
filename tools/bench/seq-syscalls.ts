/**
 * System calls per 64 B sequential request on one loopback connection, QUIC against TLS/TCP, both
 * through @agentlink/transport (client and server in one process, both counted). Each transport
 * runs twice under `strace -f -c`, with 0 and with N measured requests after the same set-up and
 * warm-up; the difference divided by N is the cost of a request. Counts, not times: strace slows
 * every call, but it counts them exactly, so the figures do not move with the machine's load.
 *
 *   apt-get install strace; npx nx run-many -t build
 *   npx tsx tools/bench/seq-syscalls.ts [--requests 5000]
 *
 * Writes tools/bench/results/seq-syscalls.json and prints a Markdown table.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeResult } from './bench-output';
import { openConnectionPair, type TransportKind } from './connection-pair';
import { machineInfo } from './machine-info';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '5000' }, child: { type: 'string' } },
});
const requests = Number(values.requests);
const WARMUP = 1000;

async function child(kind: TransportKind, count: number): Promise<void> {
  const pair = await openConnectionPair(kind);
  const payload = new Uint8Array(64).fill(5);
  for (let i = 0; i < WARMUP + count; i++) await pair.connection.request('echo', payload);
  await pair.close();
}

/** `strace -c` summary lines: "% time seconds usecs/call calls [errors] syscall". */
function parseSummary(text: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5 || !/^\d/.test(fields[0]) || fields.at(-1) === 'total') continue;
    calls.set(fields.at(-1)!, Number(fields[3]));
  }
  return calls;
}

function traced(kind: TransportKind, count: number, dir: string): Map<string, number> {
  const out = path.join(dir, `${kind}-${count}.txt`);
  const script = fileURLToPath(import.meta.url);
  const args = ['-f', '-c', '-o', out, process.execPath, '--import', 'tsx', script, '--child', kind];
  const run = spawnSync('strace', [...args, '--requests', String(count)], { stdio: 'inherit' });
  if (run.error !== undefined || run.status !== 0) {
    const why = run.error?.message ?? `exit ${run.status}`;
    throw new Error(`strace run for ${kind} (${count} requests) failed: ${why}`);
  }
  return parseSummary(readFileSync(out, 'utf8'));
}

/** Calls per request by syscall, only those that occur at least once per 10 requests. */
function perRequest(kind: TransportKind, dir: string): Record<string, number> {
  const base = traced(kind, 0, dir);
  const loaded = traced(kind, requests, dir);
  const rows: Record<string, number> = {};
  for (const [name, calls] of loaded) {
    const each = (calls - (base.get(name) ?? 0)) / requests;
    if (each >= 0.1) rows[name] = Math.round(each * 100) / 100;
  }
  return rows;
}

if (values.child !== undefined) {
  await child(values.child as TransportKind, requests);
} else {
  const dir = mkdtempSync(path.join(tmpdir(), 'seq-syscalls-'));
  try {
    const result = { quic: perRequest('quic', dir), tcp: perRequest('tcp', dir) };
    const names = [...new Set([...Object.keys(result.quic), ...Object.keys(result.tcp)])].sort();
    const total = (rows: Record<string, number>) => Object.values(rows).reduce((sum, x) => sum + x, 0).toFixed(2);
    console.log('| syscall | QUIC per request | TLS/TCP per request |\n|---|---|---|');
    for (const name of names) console.log(`| ${name} | ${result.quic[name] ?? 0} | ${result.tcp[name] ?? 0} |`);
    console.log(`| all | ${total(result.quic)} | ${total(result.tcp)} |`);
    const command = `npx tsx tools/bench/seq-syscalls.ts --requests ${requests}`;
    console.log(`wrote ${writeResult('seq-syscalls', { command, machine: machineInfo(), requests, ...result })}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
