/**
 * @agentlink/transport — agent-to-agent messaging over QUIC (with a TLS 1.3 over TCP fallback),
 * mutual TLS against a fleet CA, fail-closed.
 *
 * @example
 * ```ts
 * import { createDevelopmentCredentials, QuicTransport } from '@agentlink/transport';
 *
 * // Development certificates are refused unless the transport says `development: true`.
 * const { agents } = await createDevelopmentCredentials({ agentIds: ['coordinator', 'executor-1'] });
 * const server = new QuicTransport({ credentials: agents['coordinator']!, development: true });
 * server.handle('ping', (body) => body);
 * const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
 *
 * const client = new QuicTransport({ credentials: agents['executor-1']!, development: true });
 * const connection = await client.dial({ host: '127.0.0.1', port });
 * console.log(connection.peer.agentId, await connection.requestJson('ping', { hello: 'fleet' }));
 * await client.close();
 * await server.close();
 * ```
 */
export type {
  CloseOptions,
  Connection,
  DialMode,
  Direction,
  Handler,
  HandlerContext,
  ListenAddress,
  PeerAddress,
  QuicCongestionControl,
  QuicLibraryLogLevel,
  QuicTransportOptions,
  RequestOptions,
  TcpTransportOptions,
  TlsCredentials,
  Transport,
  TransportEventName,
  TransportEvents,
  TransportKind,
  TransportListener,
  TransportOptions,
  ZeroRttOptions,
} from './types';
export {
  CertificateVerificationError,
  ConnectFailedError,
  ConnectionClosedError,
  ConnectTimeoutError,
  FrameError,
  FrameMalformedError,
  FrameTooLargeError,
  FrameTruncatedError,
  FrameVersionError,
  LocalCertificateInvalidError,
  PeerCertificatePolicyError,
  PeerIdentityError,
  PeerUnavailableError,
  ProductionGuardError,
  ProtocolViolationError,
  RemoteError,
  RequestAbortedError,
  RequestTimeoutError,
  TlsHandshakeError,
  TransportStateError,
} from './errors';
export { QuicTransport } from './quic/quic-transport';
export { quicEarlyData } from './quic/early-data-status';
export type { EarlyDataStatus } from './quic/early-data-gate';
export { TcpTlsTransport, ALPN_PROTOCOL } from './tcp/tcp-tls-transport';
export { FallbackTransport, type FallbackTransportOptions } from './fallback-transport';
export { PeerClient, type PeerClientOptions } from './peer-client';
export {
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_VERSION,
  FrameDecoder,
  FrameType,
  encodeFrame,
  type Frame,
} from './frame/frame-codec';
export {
  AGENT_URI_PREFIX,
  DEVELOPMENT_OU,
  createCertificateAuthority,
  createDevelopmentCredentials,
  issueCertificate,
  type CertificateAuthority,
  type CertificateAuthorityOptions,
  type DevelopmentCredentials,
  type DevelopmentCredentialsOptions,
  type IssueCertificateOptions,
  type IssuedCertificate,
  type KeyUsageName,
} from './pki/certificate-authority';
export type { CertificateKeySpec } from './pki/key-pairs';
export { agentIdOf, isDevelopmentCertificate, type PeerIdentity } from './pki/certificate-inspection';
export { verifiedPeerIdentity, type CertificateInput } from './security/peer-verification';
export type { CertificatePolicyOptions } from './security/certificate-policy';
export {
  CERTIFICATE_POLICY_REASONS,
  type CertificatePolicyReason,
  type CertificateRefusalReason,
  type CertificateRole,
} from './security/policy-reasons';
