/**
 * The raw node:tls floor the transport benchmarks compare against: a bare echo with a 4-byte
 * length prefix, the same mutual TLS 1.3 and ALPN, and a FIFO of waiters on the client (answers
 * come back in order on one socket). No agentlink code, so it also runs from builds in /tmp.
 */
import * as tls from 'node:tls';

export interface TlsPems {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

export interface RawTlsEcho {
  echo(payload: Uint8Array): Promise<Uint8Array>;
  stop(): Promise<void>;
}

/** Splits a byte stream into 4-byte-length-prefixed messages. */
export function lengthPrefixed(onMessage: (message: Buffer) => void): (chunk: Buffer) => void {
  let buffer: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = buffer.byteLength === 0 ? chunk : Buffer.concat([buffer, chunk]);
    while (buffer.byteLength >= 4) {
      const length = buffer.readUInt32BE(0);
      if (buffer.byteLength < 4 + length) break;
      onMessage(buffer.subarray(4, 4 + length));
      buffer = buffer.subarray(4 + length);
    }
  };
}

/** `payload` behind its 4-byte big-endian length. */
export function withLengthPrefix(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.byteLength);
  out.writeUInt32BE(payload.byteLength, 0);
  out.set(payload, 4);
  return out;
}

/** Starts the echo server on 127.0.0.1 and connects one client to it. */
export async function startRawTlsEcho(server: TlsPems, client: TlsPems, alpn: string): Promise<RawTlsEcho> {
  const common = { minVersion: 'TLSv1.3' as const, maxVersion: 'TLSv1.3' as const, ALPNProtocols: [alpn] };
  const tlsServer = tls.createServer(
    {
      ...common,
      key: server.keyPem,
      cert: server.certPem,
      ca: server.caPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => {
      socket.setNoDelay(true);
      socket.on(
        'data',
        lengthPrefixed((message) => socket.write(withLengthPrefix(message))),
      );
      socket.on('error', () => undefined);
    },
  );
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const socket = tls.connect({
    ...common,
    host: '127.0.0.1',
    port: (tlsServer.address() as { port: number }).port,
    servername: 'localhost',
    key: client.keyPem,
    cert: client.certPem,
    ca: client.caPem,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  const waiters: Array<(message: Uint8Array) => void> = [];
  socket.on('data', lengthPrefixed((message) => waiters.shift()?.(Buffer.from(message))));
  return {
    echo: (payload) =>
      new Promise((resolve) => {
        waiters.push(resolve);
        socket.write(withLengthPrefix(payload));
      }),
    stop: async () => {
      socket.destroy();
      await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    },
  };
}
