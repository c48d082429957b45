import * as tls from 'node:tls';
import { QuicEndpoint } from '../../src/quic/endpoint/quic-endpoint';
import { buildQuicheConfig, type EndpointSettings } from '../../src/quic/endpoint/quiche-config';
import { ALPN_PROTOCOL } from '../../src/tcp/tcp-tls-transport';
import { encodeFrame, encodeMethodPayload, FrameType } from '../../src/frame/frame-codec';
import { utf8 } from '../helpers';

/**
 * Peers that present any certificate, for security tests: our transports refuse to start with a
 * bad certificate of their own, so the bad side of a handshake is played by the TLS libraries
 * directly (node:tls, our QUIC endpoint with verification off).
 */

/** OpenSSL security level 0, so a raw peer can load and present weak keys. */
const RAW_CIPHERS = 'DEFAULT:@SECLEVEL=0';

/** A raw QUIC side: our endpoint with any certificate, verification off, no agentlink session. */
export const rawSettings = (cert?: { certPem: string; keyPem: string }, caPem?: string): EndpointSettings => ({
  ...(cert === undefined ? {} : { certPem: cert.certPem, keyPem: cert.keyPem }),
  ...(caPem === undefined ? {} : { caPem }),
  verifyPeer: false,
  alpn: [ALPN_PROTOCOL],
  maxIdleTimeoutMs: 5000,
  maxStreamsBidi: 100,
  maxStreamsUni: 3,
  maxData: 1 << 20,
  maxStreamData: 1 << 20,
});
export const rawConnection = { coalesceSends: false, keepAliveIntervalMs: 0, startTimeoutMs: 3000 };
const ignore = (): void => undefined;

/** A server that presents any certificate: our transports refuse to start with a bad one. */
export async function startRawServer(
  kind: 'quic' | 'tcp',
  cert: { certPem: string; keyPem: string },
  retry = true,
  /** QUIC: a port to take over (a dialer holds a ticket for it); default a new one. */
  port = 0,
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
  const config = buildQuicheConfig(rawSettings(cert));
  const server = await QuicEndpoint.open({
    host: '127.0.0.1',
    port,
    connection: rawConnection,
    accept: { config: () => config, retry, onConnection: (connection) => connection.serve() },
  });
  return { port: server.port, stop: () => server.close() };
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
  const endpoint = await QuicEndpoint.open({ host: '127.0.0.1', port: 0, connection: rawConnection });
  try {
    const connection = endpoint.connect(
      'localhost',
      { host: '127.0.0.1', port },
      buildQuicheConfig(rawSettings(cert, caPem)),
    );
    // TLS 1.3: the server may refuse our certificate after our side completed; wait for its verdict.
    return await new Promise<'refused' | 'accepted'>((resolve) => {
      const deadline = setTimeout(() => resolve('refused'), 3000);
      const settle = (verdict: 'refused' | 'accepted'): void => {
        clearTimeout(deadline);
        resolve(verdict);
      };
      connection.handler = {
        established: () => {
          // An eager request right behind our Finished: the server must not deliver it to a handler.
          connection.native.streamSend(0, eagerRequest('guarded'), true);
          connection.serve();
        },
        // The listener opens a stream (its hello) only to accepted peers.
        streamReadable: (streamId) => (streamId & 1) === 1 && settle('accepted'),
        afterEvent: ignore,
        closed: () => settle('refused'),
      };
    });
  } finally {
    await endpoint.close();
  }
}
