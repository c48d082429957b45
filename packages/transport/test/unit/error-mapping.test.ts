import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import * as errors from '../../src/errors';
import { issueCertificate, createCertificateAuthority } from '../../src/pki/certificate-authority';
import { verifiedPeerIdentity } from '../../src/security/peer-verification';
import type { QuicCloseInfo } from '../../src/quic/endpoint/close-info';
import {
  isGracefulQuicClose,
  isOwnApplicationClose,
  mapQuicClose,
  PEER_REFUSED_APP_CODE,
} from '../../src/quic/quic-error-mapping';
import { mapTlsError } from '../../src/security/tls-error-mapping';

describe('error mapping', () => {
  it.each([
    ['CERT_HAS_EXPIRED', 'ERR_CERT_VERIFICATION'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_CERT_VERIFICATION'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_PEER_IDENTITY'],
    ['ECONNREFUSED', 'ERR_CONNECT_FAILED'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_TLS_HANDSHAKE'],
    ['', 'ERR_TLS_HANDSHAKE'],
    ['EWHATEVER', 'ERR_CONNECT_FAILED'],
  ])('maps node:tls %s to %s', (code, expected) => {
    const error = Object.assign(new Error(code === '' ? 'tls alert unknown' : 'boom'), {
      code: code === '' ? undefined : code,
    });
    expect(mapTlsError(error, 'h:1').code).toBe(expected);
  });

  it('passes our own errors through and maps non-errors', () => {
    const own = new errors.ConnectionClosedError('x');
    expect(mapTlsError(own, 'h')).toBe(own);
    expect(mapTlsError('weird', 'h').code).toBe('ERR_CONNECT_FAILED');
  });

  it('maps how a QUIC connection ended to typed errors', () => {
    const info = (by: QuicCloseInfo['by'], isApp: boolean, errorCode: number): QuicCloseInfo => ({
      by,
      isApp,
      errorCode,
      reason: '',
    });
    expect(mapQuicClose(info('local', false, 0x100 + 48))).toMatchObject({
      code: 'ERR_CERT_VERIFICATION',
      reason: expect.stringContaining('unknown_ca'),
    });
    expect(mapQuicClose(info('peer', false, 0x100 + 116))).toMatchObject({
      code: 'ERR_TLS_HANDSHAKE',
      reason: expect.stringContaining('certificate_required'),
    });
    expect(mapQuicClose(info('peer', false, 0x100 + 7))).toMatchObject({
      reason: expect.stringContaining('tls_alert_7'),
    });
    expect(mapQuicClose(info('idle', false, 1))?.code).toBe('ERR_CONNECTION_CLOSED');
    const refusal = { code: 'ERR_TLS_HANDSHAKE', reason: expect.stringContaining('refused this agent') };
    expect(mapQuicClose(info('peer', true, PEER_REFUSED_APP_CODE))).toMatchObject(refusal);
    expect(mapQuicClose(info('peer', false, 0x0a))?.code).toBe('ERR_CONNECTION_CLOSED');
    expect(mapQuicClose(info('peer', true, 0))).toBeUndefined();
    expect(isGracefulQuicClose(info('local', true, 0))).toBe(true);
    expect(isGracefulQuicClose(info('peer', false, 0x100 + 116))).toBe(false);
    expect(isOwnApplicationClose(info('local', true, PEER_REFUSED_APP_CODE))).toBe(true);
    expect(isOwnApplicationClose(info('local', false, 0x100 + 48))).toBe(false);
  });

  it('gives every error a stable code, a name and retryability', () => {
    const all = [
      new errors.FrameTooLargeError(2, 1),
      new errors.FrameMalformedError('x'),
      new errors.FrameVersionError(9),
      new errors.FrameTruncatedError(3),
      new errors.TlsHandshakeError('x'),
      new errors.CertificateVerificationError('x'),
      new errors.PeerIdentityError('x'),
      new errors.PeerCertificatePolicyError('ca-certificate', 'client', 's', 'x'),
      new errors.ProductionGuardError('ERR_DEV_CERTS_IN_PRODUCTION', 'x'),
      new errors.LocalCertificateInvalidError('s', 'expired'),
      new errors.ConnectTimeoutError('h', 1),
      new errors.ConnectFailedError('h', 'x'),
      new errors.ConnectionClosedError('x'),
      new errors.PeerUnavailableError('h'),
      new errors.RequestTimeoutError('m', 1),
      new errors.RequestAbortedError('m'),
      new errors.RemoteError('m', 'ERR_X', 'x'),
      new errors.ProtocolViolationError('x'),
      new errors.TransportStateError('x'),
    ];
    for (const error of all) {
      expect(error.code).toMatch(/^ERR_[A-Z_]+$/);
      expect(error.name).toBe(error.constructor.name);
      expect(typeof error.retryable).toBe('boolean');
    }
    expect(new Set(all.map((e) => e.code)).size).toBe(all.length);
  });

  it('checks EKU, host and agent id of a peer certificate', async () => {
    const ca = await createCertificateAuthority();
    const server = await issueCertificate(ca, {
      agentId: 'srv',
      usage: 'server',
      dnsNames: ['svc.example'],
      ipAddresses: ['10.0.0.1'],
    });
    expect(() => verifiedPeerIdentity(server.certPem, 'client')).toThrow(errors.PeerCertificatePolicyError);
    const noClientAuth = expect.objectContaining({ reason: 'extended-key-usage' }) as never;
    expect(() => verifiedPeerIdentity(server.certPem, 'client')).toThrow(noClientAuth);
    expect(verifiedPeerIdentity(server.certPem, 'server', 'svc.example').agentId).toBe('srv');
    expect(verifiedPeerIdentity(new X509Certificate(server.certPem), 'server', '10.0.0.1').agentId).toBe('srv');
    expect(() => verifiedPeerIdentity(server.certPem, 'server', 'other.example')).toThrow(errors.PeerIdentityError);
    expect(() => verifiedPeerIdentity(server.certPem, 'server', '10.0.0.2')).toThrow(errors.PeerIdentityError);
  });
});
