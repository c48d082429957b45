import * as tls from 'node:tls';
import Logger, { LogLevel } from '@matrixai/logger';
import { QUICClient, QUICServer } from '@matrixai/quic';
import { expect } from '@jest/globals';
import { clientCryptoOps, createServerKey, serverCryptoOps } from '../../src/quic/quic-crypto';
import { ALPN_PROTOCOL } from '../../src/tcp/tcp-tls-transport';
import { encodeFrame, encodeMethodPayload, FrameType } from '../../src/frame/frame-codec';
import { utf8 } from '../helpers';

/**
 * Peers that present any certificate, for security tests: our transports refuse to start with a
 * bad certificate of their own, so the bad side of a handshake is played by the TLS libraries
 * directly (node:tls, @matrixai/quic).
 */

/** OpenSSL security level 0, so a raw peer can load and present weak keys. */
const RAW_CIPHERS = 'DEFAULT:@SECLEVEL=0';

const silent = (): Logger => new Logger('test', LogLevel.SILENT);

/** A server that presents any certificate: our transports refuse to start with a bad one. */
export async function startRawServer(
  kind: 'quic' | 'tcp',
  cert: { certPem: string; keyPem: string },
  retry = true,
): Promise<{ port: number; stop: () => Promise<void> }> {
  if (kind === 'tcp') {
    // Security level 0: the raw peer may present keys OpenSSL would refuse to load (RSA-1024).
    const server = tls.createServer({
      key: cert.keyPem,
      cert: cert.certPem,
      minVersion: 'TLSv1.3',
      ALPNProtocols: [ALPN_PROTOCOL],
      ciphers: RAW_CIPHERS,
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as { port: number }).port,
      stop: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }
  const server = new QUICServer({
    crypto: { key: createServerKey(), ops: serverCryptoOps },
    config: {
      key: cert.keyPem,
      cert: cert.certPem,
      verifyPeer: false,
      applicationProtos: [ALPN_PROTOCOL],
      maxIdleTimeout: 5000,
    },
    logger: silent(),
    retry,
  });
  // A silently ignored `retry: false` (unpatched library) would make the Retry-off cases vacuous.
  expect(server.retry).toBe(retry);
  await server.start({ host: '127.0.0.1', port: 0 });
  return { port: server.port, stop: () => server.stop({ force: true }) };
}

/** A request frame for `method` sent by a raw client right after its handshake, without waiting for the hello. */
export const eagerRequest = (method: string): Uint8Array =>
  encodeFrame(FrameType.Request, 1, encodeMethodPayload(method, utf8('x')), 1024);

/** Raw clients that a verifying server must refuse; each sends a request at once. Resolve with whatever happened. */
export async function rawClientAttempt(
  kind: 'quic' | 'tcp',
  port: number,
  cert?: { certPem: string; keyPem: string },
  caPem?: string,
  maxVersion?: tls.SecureVersion,
): Promise<'refused' | 'accepted'> {
  if (kind === 'tcp') {
    return new Promise((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        ca: caPem,
        key: cert?.keyPem,
        cert: cert?.certPem,
        rejectUnauthorized: false,
        maxVersion: maxVersion ?? 'TLSv1.3',
        minVersion: maxVersion === 'TLSv1.2' ? 'TLSv1.2' : undefined,
        ALPNProtocols: [ALPN_PROTOCOL],
        ciphers: RAW_CIPHERS,
      });
      socket.once('secureConnect', () => socket.write(eagerRequest('guarded')));
      // The listener sends its hello frame only to accepted peers.
      socket.once('data', () => {
        socket.destroy();
        resolve('accepted');
      });
      socket.on('error', () => resolve('refused'));
      socket.on('close', () => resolve('refused'));
    });
  }
  try {
    const client = await QUICClient.createQUICClient(
      {
        host: '127.0.0.1',
        port,
        serverName: 'localhost',
        crypto: { ops: clientCryptoOps },
        config: {
          key: cert?.keyPem,
          cert: cert?.certPem,
          ca: caPem,
          verifyPeer: false,
          applicationProtos: [ALPN_PROTOCOL],
          maxIdleTimeout: 3000,
        },
        logger: silent(),
      },
      { timer: 3000 },
    );
    // An eager request right behind our Finished: the server must not deliver it to a handler.
    const stream = client.connection.newStream('bidi');
    const writer = stream.writable.getWriter();
    writer
      .write(eagerRequest('guarded'))
      .then(() => writer.close())
      .catch(() => undefined);
    stream.readable.cancel().catch(() => undefined);
    // TLS 1.3: the server may refuse our certificate after our side completed; wait for its verdict.
    const verdict = await Promise.race([
      client.closedP.then(() => 'refused' as const),
      new Promise<'accepted'>((resolve) => {
        client.connection.addEventListener('EventQUICConnectionStream', () => resolve('accepted'), { once: true });
      }),
    ]);
    await client.destroy({ force: true }).catch(() => undefined);
    return verdict;
  } catch {
    return 'refused';
  }
}
