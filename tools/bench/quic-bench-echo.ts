/**
 * Bare echo servers and clients shared by the QUIC benchmarks: @matrixai/quic (loaded from
 * node_modules or from any copy of the package by path, so the patched and the pristine
 * library can be measured in one run) and node:tls (TLS 1.3, mutual TLS).
 */
import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';
import { createServer as createTlsServer, connect as tlsConnect, type TLSSocket } from 'node:tls';
import { connect as connectTcp, type AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import Logger, { LogLevel } from '@matrixai/logger';
import type * as QuicNs from '@matrixai/quic';
import type { BenchPki } from './quic-bench-pki';

type QuicModule = typeof QuicNs;
type QuicConnection = QuicNs.QUICConnection;
type QuicStream = QuicNs.QUICStream;

/** Loads @matrixai/quic from node_modules, or from a package directory given by path. */
export async function loadQuic(packageDir?: string): Promise<QuicModule> {
  if (packageDir === undefined) return import('@matrixai/quic');
  return import(pathToFileURL(join(packageDir, 'dist', 'index.js')).href) as Promise<QuicModule>;
}

const quietLogger = (): Logger => new Logger('bench', LogLevel.WARN);

const serverCrypto = {
  key: (() => {
    const k = new Uint8Array(32);
    randomFillSync(k);
    return k.buffer;
  })(),
  ops: {
    sign: async (key: ArrayBuffer, data: ArrayBuffer): Promise<ArrayBuffer> => {
      const d = createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest();
      return d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer;
    },
    verify: async (key: ArrayBuffer, data: ArrayBuffer, sig: ArrayBuffer): Promise<boolean> => {
      const d = createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest();
      const s = Buffer.from(sig);
      return s.byteLength === d.byteLength && timingSafeEqual(s, d);
    },
  },
};
const clientCrypto = {
  ops: {
    randomBytes: async (data: ArrayBuffer): Promise<void> => {
      randomFillSync(new Uint8Array(data));
    },
  },
};

export interface EchoServer {
  port: number;
  /** True when the library honoured `{ retry: false }` (patched); undefined for TLS. */
  retryOptional?: boolean;
  close(): Promise<void>;
}

/** Reads a web stream to its end and returns the bytes. */
async function readAll(readable: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of readable) chunks.push(c);
  return Buffer.concat(chunks);
}

async function echoStream(stream: QuicStream): Promise<void> {
  // Stream per request: read the whole request, answer, close; any chunk is echoed as it arrives
  // so the same handler also serves the long-lived "reuse" stream.
  const writer = stream.writable.getWriter();
  try {
    for await (const chunk of stream.readable) await writer.write(chunk);
    await writer.close();
  } catch {
    // Peer went away mid-request: nothing to answer.
  }
}

export interface QuicServerOptions {
  /** Pass `{ retry: false }` through to the patched QUICServer; ignored by the pristine library. */
  serverOptions?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** Starts a bare @matrixai/quic echo server (mutual TLS, native chain check). */
export async function startQuicEchoServer(
  quic: QuicModule,
  pki: BenchPki,
  opts: QuicServerOptions = {},
): Promise<EchoServer> {
  const server = new quic.QUICServer({
    crypto: serverCrypto,
    config: {
      key: pki.server.key,
      cert: pki.server.cert,
      ca: pki.ca,
      verifyPeer: true,
      maxIdleTimeout: 30_000,
      ...opts.config,
    },
    logger: quietLogger(),
    ...opts.serverOptions,
  } as ConstructorParameters<QuicModule['QUICServer']>[0]);
  const conns = new Set<QuicConnection>();
  server.addEventListener(quic.events.EventQUICServerConnection.name, (evt: Event) => {
    const conn = (evt as InstanceType<typeof quic.events.EventQUICServerConnection>).detail;
    conns.add(conn);
    conn.addEventListener(quic.events.EventQUICConnectionStream.name, (e: Event) => {
      void echoStream((e as InstanceType<typeof quic.events.EventQUICConnectionStream>).detail);
    });
    conn.addEventListener(quic.events.EventQUICConnectionStopped.name, () => conns.delete(conn), { once: true });
  });
  server.addEventListener(quic.events.EventQUICServerError.name, () => {});
  await server.start({ host: '127.0.0.1', port: 0 });
  const retryOptional = (server as unknown as { retry?: boolean }).retry === false;
  return { port: server.port, retryOptional, close: async () => server.stop({ force: true }) };
}

export interface QuicDialed {
  conn: QuicConnection;
  close(): Promise<void>;
}

/** Dials the echo server; resolves once the handshake (and certificate checks) completed. */
export async function dialQuic(
  quic: QuicModule,
  pki: BenchPki,
  port: number,
  config: Record<string, unknown> = {},
): Promise<QuicDialed> {
  const client = await quic.QUICClient.createQUICClient({
    host: '127.0.0.1',
    port,
    serverName: 'localhost',
    localHost: '127.0.0.1',
    crypto: clientCrypto,
    config: {
      key: pki.client.key,
      cert: pki.client.cert,
      ca: pki.ca,
      verifyPeer: true,
      maxIdleTimeout: 30_000,
      ...config,
    },
    logger: quietLogger(),
  } as unknown as Parameters<QuicModule['QUICClient']['createQUICClient']>[0]);
  client.addEventListener(quic.events.EventQUICClientError.name, () => {});
  return { conn: client.connection, close: async () => client.destroy({ force: true }) };
}

/** One request on a fresh bidirectional stream: write, close, read the echo to its end. */
export async function quicRequest(conn: QuicConnection, payload: Uint8Array): Promise<Buffer> {
  const stream = conn.newStream();
  const writer = stream.writable.getWriter();
  const reply = readAll(stream.readable);
  await writer.write(payload);
  await writer.close();
  return reply;
}

/** A long-lived stream used for many requests (the "stream reuse" mode for small messages). */
export function quicChannel(conn: QuicConnection): {
  request(p: Uint8Array): Promise<Buffer>;
  close(): Promise<void>;
} {
  const stream = conn.newStream();
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  return {
    async request(p) {
      await writer.write(p);
      const parts: Uint8Array[] = [];
      let got = 0;
      while (got < p.byteLength) {
        const r = await reader.read();
        if (r.done) throw new Error('stream ended early');
        parts.push(r.value);
        got += r.value.byteLength;
      }
      return Buffer.concat(parts);
    },
    async close() {
      await writer.close();
      while (!(await reader.read()).done) { /* drain */ }
    },
  };
}

/** node:tls echo server, TLS 1.3 only, client certificate required. */
export async function startTlsEchoServer(pki: BenchPki): Promise<EchoServer> {
  const sockets = new Set<TLSSocket>();
  const server = createTlsServer({
    key: pki.server.key, cert: pki.server.cert, ca: pki.ca,
    requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3',
  }, (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('data', (d) => socket.write(d));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface TlsDialed {
  request(p: Uint8Array): Promise<Buffer>;
  close(): void;
}

/**
 * Dials the TLS echo server; resolves on secureConnect (handshake and certificate checks done).
 * `synRttMs` holds the ClientHello back that long after the TCP connect: a userspace TCP proxy
 * completes the TCP handshake locally, so the SYN/SYN-ACK round trip of a real path is modelled.
 */
export async function dialTls(pki: BenchPki, port: number, synRttMs = 0, host = '127.0.0.1'): Promise<TlsDialed> {
  const tcp = connectTcp({ host, port });
  await new Promise<void>((resolve, reject) => {
    tcp.once('connect', resolve);
    tcp.once('error', reject);
  });
  if (synRttMs > 0) await new Promise((resolve) => setTimeout(resolve, synRttMs));
  const socket = tlsConnect({
    socket: tcp, servername: 'localhost', key: pki.client.key, cert: pki.client.cert, ca: pki.ca,
    minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', rejectUnauthorized: true,
  });
  tcp.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  let want = 0;
  let parts: Buffer[] = [];
  let got = 0;
  let done: ((b: Buffer) => void) | undefined;
  socket.on('data', (d: Buffer) => {
    parts.push(d);
    got += d.byteLength;
    if (done !== undefined && got >= want) {
      const r = Buffer.concat(parts);
      parts = [];
      got = 0;
      const f = done;
      done = undefined;
      f(r);
    }
  });
  return {
    request(p) {
      want = p.byteLength;
      const reply = new Promise<Buffer>((resolve) => (done = resolve));
      socket.write(p);
      return reply;
    },
    close() {
      socket.destroy();
    },
  };
}
