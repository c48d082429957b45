/**
 * Request/response latency (p50, p99) and throughput of @agentlink/transport over QUIC and
 * TLS 1.3/TCP on loopback, each beside its raw floor measured in the same run: a bare
 * @matrixai/quic echo (one stream per request, 4-byte length prefix, answered as soon as the
 * message is complete; same mTLS) and a bare node:tls echo (4-byte length prefix, same mTLS).
 *
 * Run: npm run build -w packages/transport && npx tsx tools/bench/transport-bench.ts
 * Options (env): BENCH_REQUESTS (sequential requests per case, default 300 QUIC / 3000 TCP),
 * BENCH_THROUGHPUT_REQUESTS (default 300 QUIC / 10,000 TCP), BENCH_CONCURRENCY (default 32), BENCH_ONLY (quic|tcp),
 * BENCH_OUT (JSON path; default tools/bench/results/transport.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Logger, { LogLevel } from '@matrixai/logger';
import { events as quicEvents, QUICClient, QUICServer, type QUICConnection, type QUICStream } from '@matrixai/quic';
import {
  ALPN_PROTOCOL,
  createCertificateAuthority,
  issueCertificate,
  QuicTransport,
  TcpTlsTransport,
  type Connection,
  type TlsCredentials,
} from '@agentlink/transport';
import { startRawTlsEcho, withLengthPrefix } from './raw-tls-floor';
import { lscpuCpuLine } from './machine-info';
import { transportBenchCrypto } from './transport-bench-crypto';

const here = path.dirname(fileURLToPath(import.meta.url));
// QUIC on @matrixai/quic is ~50x slower per request than node:tls on loopback, so it gets fewer
// requests by default to keep the run within a few minutes on a shared 2-core machine.
const REQUESTS: Record<'quic' | 'tcp', number> = {
  quic: Number(process.env['BENCH_REQUESTS'] ?? 300),
  tcp: Number(process.env['BENCH_REQUESTS'] ?? 3000),
};
const THROUGHPUT_REQUESTS: Record<'quic' | 'tcp', number> = {
  quic: Number(process.env['BENCH_THROUGHPUT_REQUESTS'] ?? 300),
  tcp: Number(process.env['BENCH_THROUGHPUT_REQUESTS'] ?? 10_000),
};
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const SIZES = [64, 16 * 1024];
const WARMUP = 100;

type Echo = (payload: Uint8Array) => Promise<Uint8Array>;
interface Subject {
  transport: 'quic' | 'tcp';
  impl: 'agentlink' | 'raw floor';
  echo: Echo;
  stop: () => Promise<void>;
}
interface Row {
  transport: 'quic' | 'tcp';
  impl: string;
  payloadBytes: number;
  requests: number;
  throughputRequests: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  throughputRps: number;
  throughputMiBps: number;
}

const silent = (): Logger => new Logger('bench', LogLevel.SILENT);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(subject: Subject, size: number): Promise<Row> {
  const payload = new Uint8Array(size).fill(1);
  for (let i = 0; i < WARMUP; i += 1) await subject.echo(payload);
  const latencies: number[] = [];
  const requests = REQUESTS[subject.transport];
  const throughputRequests = THROUGHPUT_REQUESTS[subject.transport];
  for (let i = 0; i < requests; i += 1) {
    const start = performance.now();
    const answer = await subject.echo(payload);
    latencies.push(performance.now() - start);
    if (answer.byteLength !== size) throw new Error(`echo returned ${answer.byteLength} bytes, expected ${size}`);
  }
  latencies.sort((a, b) => a - b);
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (issued < throughputRequests) {
        issued += 1;
        await subject.echo(payload);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    transport: subject.transport,
    impl: subject.impl,
    payloadBytes: size,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    meanMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    requests,
    throughputRequests,
    throughputRps: throughputRequests / seconds,
    throughputMiBps: (throughputRequests * size * 2) / seconds / (1024 * 1024),
  };
}

async function agentlinkSubject(
  kind: 'quic' | 'tcp',
  server: TlsCredentials,
  client: TlsCredentials,
): Promise<Subject> {
  const make = (credentials: TlsCredentials): QuicTransport | TcpTlsTransport =>
    kind === 'quic'
      ? new QuicTransport({ credentials, maxConcurrentStreams: 100 })
      : new TcpTlsTransport({ credentials });
  const listener = make(server);
  listener.handle('echo', (body) => body);
  const { port } = await listener.listen({ host: '127.0.0.1', port: 0 });
  const dialer = make(client);
  const connection: Connection = await dialer.dial({ host: '127.0.0.1', port });
  return {
    transport: kind,
    impl: 'agentlink',
    echo: (payload) => connection.request('echo', payload),
    stop: async () => {
      await dialer.close();
      await listener.close();
    },
  };
}

async function readAll(stream: QUICStream): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = stream.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  reader.releaseLock();
  return Buffer.concat(parts);
}

/** Reads one 4-byte-length-prefixed message from a stream, leaving the rest unread. */
async function readMessage(stream: QUICStream): Promise<Uint8Array> {
  const reader = stream.readable.getReader();
  let buffer: Buffer = Buffer.alloc(0);
  try {
    while (buffer.byteLength < 4 || buffer.byteLength < 4 + buffer.readUInt32BE(0)) {
      const { done, value } = await reader.read();
      if (done) throw new Error('stream ended inside a message');
      buffer = Buffer.concat([buffer, value]);
    }
  } finally {
    reader.releaseLock();
  }
  return buffer.subarray(4, 4 + buffer.readUInt32BE(0));
}

async function drain(stream: QUICStream): Promise<void> {
  await readAll(stream);
}

async function rawQuicSubject(server: TlsCredentials, client: TlsCredentials): Promise<Subject> {
  const config = {
    verifyPeer: true,
    applicationProtos: [ALPN_PROTOCOL],
    maxIdleTimeout: 30_000,
    keepAliveIntervalTime: 10_000,
    initialMaxStreamsBidi: 200,
  };
  const quicServer = new QUICServer({
    crypto: { key: transportBenchCrypto.serverKey(), ops: transportBenchCrypto.serverOps },
    config: { ...config, key: server.keyPem, cert: server.certPem, ca: server.caPem },
    logger: silent(),
  });
  quicServer.addEventListener(quicEvents.EventQUICServerConnection.name, (event: Event) => {
    const connection = (event as unknown as { detail: QUICConnection }).detail;
    connection.addEventListener(quicEvents.EventQUICConnectionStream.name, (streamEvent: Event) => {
      const stream = (streamEvent as unknown as { detail: QUICStream }).detail;
      void (async () => {
        // Answer as soon as the whole message is in (like our framing does), not at the fin.
        const body = await readMessage(stream);
        const writer = stream.writable.getWriter();
        await writer.write(body);
        await writer.close();
        await drain(stream);
      })().catch(() => undefined);
    });
  });
  await quicServer.start({ host: '127.0.0.1', port: 0 });
  const quicClient = await QUICClient.createQUICClient({
    host: '127.0.0.1',
    port: quicServer.port,
    serverName: 'localhost',
    crypto: { ops: transportBenchCrypto.clientOps },
    config: { ...config, key: client.keyPem, cert: client.certPem, ca: client.caPem },
    logger: silent(),
  });
  return {
    transport: 'quic',
    impl: 'raw floor',
    echo: async (payload) => {
      const stream = quicClient.connection.newStream('bidi');
      const writer = stream.writable.getWriter();
      const answer = readAll(stream);
      await writer.write(withLengthPrefix(payload));
      await writer.close();
      return answer;
    },
    stop: async () => {
      await quicClient.destroy({ force: true });
      await quicServer.stop({ force: true });
    },
  };
}

async function rawTlsSubject(server: TlsCredentials, client: TlsCredentials): Promise<Subject> {
  return { transport: 'tcp', impl: 'raw floor', ...(await startRawTlsEcho(server, client, ALPN_PROTOCOL)) };
}

async function main(): Promise<void> {
  const ca = await createCertificateAuthority({ commonName: 'bench CA' });
  const issue = async (agentId: string): Promise<TlsCredentials> => {
    const cert = await issueCertificate(ca, { agentId, usage: 'both' });
    return { certPem: cert.certPem, keyPem: cert.keyPem, caPem: ca.certPem };
  };
  const server = await issue('bench-server');
  const client = await issue('bench-client');
  const factories: Array<() => Promise<Subject>> = [
    () => rawQuicSubject(server, client),
    () => agentlinkSubject('quic', server, client),
    () => rawTlsSubject(server, client),
    () => agentlinkSubject('tcp', server, client),
  ];
  const only = process.env['BENCH_ONLY'];
  const rows: Row[] = [];
  for (const [index, factory] of factories.entries()) {
    if (only !== undefined && !(only === 'quic' ? index < 2 : index >= 2)) continue;
    const subject = await factory();
    for (const size of SIZES) {
      rows.push(await measure(subject, size));
      process.stderr.write(`measured ${subject.transport} ${subject.impl} ${size} B\n`);
    }
    await subject.stop();
  }
  const ratios = rows
    .filter((row) => row.impl === 'agentlink')
    .map((row) => {
      const floor = rows.find(
        (r) => r.impl === 'raw floor' && r.transport === row.transport && r.payloadBytes === row.payloadBytes,
      ) as Row;
      return {
        transport: row.transport,
        payloadBytes: row.payloadBytes,
        p50Ratio: row.p50Ms / floor.p50Ms,
        p99Ratio: row.p99Ms / floor.p99Ms,
        throughputRatio: floor.throughputRps / row.throughputRps,
      };
    });
  const fmt = (n: number, digits = 3): string => n.toFixed(digits);
  const now = new Date().toISOString();
  console.log(`\ntransport benchmark — ${lscpuCpuLine()} — node ${process.version} — ${now}`);
  console.log(
    `sequential requests per case: QUIC ${REQUESTS.quic}, TCP ${REQUESTS.tcp}; ` +
      `throughput: QUIC ${THROUGHPUT_REQUESTS.quic}, TCP ${THROUGHPUT_REQUESTS.tcp} requests, ` +
      `${CONCURRENCY} in flight\n`,
  );
  console.log('| transport | implementation | payload B | p50 ms | p99 ms | mean ms | req/s | MiB/s |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.transport} | ${r.impl} | ${r.payloadBytes} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.meanMs)} | ` +
        `${fmt(r.throughputRps, 0)} | ${fmt(r.throughputMiBps, 1)} |`,
    );
  }
  console.log('\n| transport | payload B | p50 ours/floor | p99 ours/floor | throughput floor/ours |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of ratios) {
    const ratio = `${fmt(r.p50Ratio, 2)}x | ${fmt(r.p99Ratio, 2)}x | ${fmt(r.throughputRatio, 2)}x`;
    console.log(`| ${r.transport} | ${r.payloadBytes} | ${ratio} |`);
  }
  const out = process.env['BENCH_OUT'] ?? path.join(here, 'results', 'transport.json');
  mkdirSync(path.dirname(out), { recursive: true });
  const result = {
    date: new Date().toISOString(),
    machine: lscpuCpuLine(),
    node: process.version,
    concurrency: CONCURRENCY,
    rows,
    ratios,
  };
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

await main();
