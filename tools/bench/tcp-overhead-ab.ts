/**
 * A/B of two builds of @agentlink/transport against the raw node:tls floor, TCP 64 B echo, in one
 * process with rounds alternating (floor, A, B, floor, B, A, ...), so machine load hits all
 * three alike. Per round and subject: p50/p99 of sequential requests and throughput with 32 in
 * flight. The floor is the one of transport-bench.ts: a bare node:tls echo with the same mTLS,
 * a 4-byte length prefix and a FIFO of waiters on the client.
 *
 * Build the two variants without touching packages/transport/dist, e.g.
 *   cp -r packages/transport/dist /tmp/tcpab/before
 *   (cd packages/transport && npx tsup --no-config src/index.ts --format esm --platform node \
 *     --target node22 --out-dir /tmp/tcpab/after)
 *   ln -sfn "$PWD/node_modules" /tmp/tcpab/node_modules   # so the builds resolve their dependencies
 * Run: npx node tools/bench/tcp-overhead-ab.ts /tmp/tcpab/before /tmp/tcpab/after
 * (Node 24 strips the types itself; tsx resolves the builds' dependencies from /tmp differently.)
 * Env: AB_ROUNDS (default 6), AB_SEQUENTIAL (default 5000), AB_THROUGHPUT (default 100000),
 *      AB_CONCURRENCY (default 32), AB_OUT (JSON path; default tools/bench/results/tcp-overhead-ab.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startRawTlsEcho } from './raw-tls-floor.ts';
import { lscpuCpuLine } from './machine-info.ts';
import type * as transportModule from '@agentlink/transport';
import type { TlsCredentials } from '@agentlink/transport';

type TransportModule = typeof transportModule;
type Echo = (payload: Uint8Array) => Promise<Uint8Array>;
interface Subject {
  readonly name: string;
  readonly echo: Echo;
  readonly stop: () => Promise<void>;
}
interface Sample {
  subject: string;
  round: number;
  p50Us: number;
  p99Us: number;
  rps: number;
  cpuUsPerRequest: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env['AB_ROUNDS'] ?? 6);
const SEQUENTIAL = Number(process.env['AB_SEQUENTIAL'] ?? 5000);
const THROUGHPUT = Number(process.env['AB_THROUGHPUT'] ?? 100_000);
const CONCURRENCY = Number(process.env['AB_CONCURRENCY'] ?? 32);
const ALPN = 'agentlink/1';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function measure(subject: Subject, round: number): Promise<Sample> {
  const payload = new Uint8Array(64).fill(1);
  for (let i = 0; i < 2000; i += 1) await subject.echo(payload);
  const latencies: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i += 1) {
    const start = performance.now();
    const answer = await subject.echo(payload);
    latencies.push(performance.now() - start);
    if (answer.byteLength !== 64) throw new Error(`${subject.name}: echo returned ${answer.byteLength} bytes`);
  }
  latencies.sort((a, b) => a - b);
  let issued = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (issued < THROUGHPUT) {
        issued += 1;
        await subject.echo(payload);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    subject: subject.name,
    round,
    p50Us: percentile(latencies, 50) * 1000,
    p99Us: percentile(latencies, 99) * 1000,
    rps: THROUGHPUT / seconds,
    cpuUsPerRequest: (cpu.user + cpu.system) / THROUGHPUT,
  };
}

async function agentlinkSubject(
  name: string,
  mod: TransportModule,
  server: TlsCredentials,
  client: TlsCredentials,
): Promise<Subject> {
  const listener = new mod.TcpTlsTransport({ credentials: server, development: true });
  listener.handle('echo', (body) => body);
  const { port } = await listener.listen({ host: '127.0.0.1', port: 0 });
  const dialer = new mod.TcpTlsTransport({ credentials: client, development: true });
  const connection = await dialer.dial({ host: '127.0.0.1', port });
  return {
    name,
    echo: (payload) => connection.request('echo', payload),
    stop: async () => {
      await dialer.close();
      await listener.close();
    },
  };
}

/** The raw floor of transport-bench.ts, unchanged. */
async function floorSubject(server: TlsCredentials, client: TlsCredentials): Promise<Subject> {
  return { name: 'floor', ...(await startRawTlsEcho(server, client, ALPN)) };
}

async function main(): Promise<void> {
  const dirs = process.argv.slice(2);
  if (dirs.length !== 2) throw new Error('usage: tcp-overhead-ab.ts <build A dir> <build B dir>');
  const [modA, modB] = (await Promise.all(
    dirs.map((dir) => import(pathToFileURL(path.resolve(dir, 'index.js')).href)),
  )) as [TransportModule, TransportModule];
  const { agents } = await modA.createDevelopmentCredentials({ agentIds: ['bench-server', 'bench-client'] });
  const server = agents['bench-server'] as TlsCredentials;
  const client = agents['bench-client'] as TlsCredentials;
  const names = ['A', 'B'];
  const subjects = [
    await floorSubject(server, client),
    await agentlinkSubject('A', modA, server, client),
    await agentlinkSubject('B', modB, server, client),
  ];
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg();
  const samples: Sample[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      // Alternate the order of A and B; the floor goes first and last in turn.
      const order = round % 2 === 1 ? [0, 1, 2] : [2, 1, 0];
      for (const index of order) {
        const sample = await measure(subjects[index] as Subject, round);
        samples.push(sample);
        process.stderr.write(
          `round ${round} ${sample.subject}: ` +
            `p50 ${sample.p50Us.toFixed(1)} µs, p99 ${sample.p99Us.toFixed(1)} µs, ` +
            `${Math.round(sample.rps)} req/s, ${sample.cpuUsPerRequest.toFixed(2)} µs CPU/req\n`,
        );
      }
    }
  } finally {
    for (const subject of subjects) await subject.stop();
  }
  const rows = subjects.map((subject) => {
    const mine = samples.filter((s) => s.subject === subject.name);
    return {
      subject: subject.name,
      dir: subject.name === 'floor' ? 'node:tls' : dirs[names.indexOf(subject.name)],
      p50UsMedian: median(mine.map((s) => s.p50Us)),
      rpsMedian: median(mine.map((s) => s.rps)),
      cpuUsPerRequestMedian: median(mine.map((s) => s.cpuUsPerRequest)),
    };
  });
  const perRound = Array.from({ length: ROUNDS }, (_, i) => {
    const of = (name: string): Sample => samples.find((s) => s.round === i + 1 && s.subject === name) as Sample;
    const floor = of('floor');
    return {
      round: i + 1,
      p50RatioA: of('A').p50Us / floor.p50Us,
      p50RatioB: of('B').p50Us / floor.p50Us,
      throughputRatioA: floor.rps / of('A').rps,
      throughputRatioB: floor.rps / of('B').rps,
    };
  });
  const load = loadAtStart.map((l) => l.toFixed(2)).join(' ');
  console.log(`\nTCP 64 B A/B — ${lscpuCpuLine()} — node ${process.version} — ${startedAt} — load ${load}`);
  console.log(
    `A = ${dirs[0]}, B = ${dirs[1]}; ${ROUNDS} rounds, ${SEQUENTIAL} sequential + ${THROUGHPUT} requests ` +
      `at ${CONCURRENCY} in flight per subject and round\n`,
  );
  console.log('| subject | p50 µs (median of rounds) | req/s (median) | CPU µs/request at 32 in flight (median) |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) {
    const cpu = r.cpuUsPerRequestMedian.toFixed(2);
    console.log(`| ${r.subject} | ${r.p50UsMedian.toFixed(1)} | ${Math.round(r.rpsMedian)} | ${cpu} |`);
  }
  console.log('\n| round | p50 A/floor | p50 B/floor | throughput floor/A | throughput floor/B |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const r of perRound) {
    console.log(
      `| ${r.round} | ${r.p50RatioA.toFixed(2)}x | ${r.p50RatioB.toFixed(2)}x | ` +
        `${r.throughputRatioA.toFixed(2)}x | ${r.throughputRatioB.toFixed(2)}x |`,
    );
  }
  const out = process.env['AB_OUT'] ?? path.join(here, 'results', 'tcp-overhead-ab.json');
  mkdirSync(path.dirname(out), { recursive: true });
  const result = {
    date: startedAt,
    machine: lscpuCpuLine(),
    node: process.version,
    loadAtStart,
    loadAtEnd: loadavg(),
    builds: { A: dirs[0], B: dirs[1] },
    rounds: ROUNDS,
    sequential: SEQUENTIAL,
    throughputRequests: THROUGHPUT,
    concurrency: CONCURRENCY,
    rows,
    perRound,
    samples,
  };
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

await main();
