import { AgentlinkError } from '@agentlink/resilience';
import type { CertificatePolicyReason, CertificateRole } from './security/policy-reasons';

/** Base of the frame decoding errors: the connection that sent the frame is closed. */
export class FrameError extends AgentlinkError {}

/** A frame announced a payload larger than `maxFrameBytes`. */
export class FrameTooLargeError extends FrameError {
  constructor(
    readonly length: number,
    readonly maxFrameBytes: number,
  ) {
    super(
      'ERR_FRAME_TOO_LARGE',
      `frame payload of ${length} bytes exceeds the ${maxFrameBytes} byte limit; ` +
        'send large data with stream() or raise maxFrameBytes on both peers',
      { retryable: false },
    );
  }
}

/** A frame header or payload is not well formed (unknown type, reserved bits, bad method). */
export class FrameMalformedError extends FrameError {
  constructor(detail: string) {
    super('ERR_FRAME_MALFORMED', `malformed frame: ${detail}; the peer does not speak agentlink/1 correctly`, {
      retryable: false,
    });
  }
}

/** A frame carried a protocol version this build does not speak. */
export class FrameVersionError extends FrameError {
  constructor(readonly version: number) {
    super('ERR_FRAME_VERSION', `unsupported frame version ${version}; upgrade the peer or this agent`, {
      retryable: false,
    });
  }
}

/** The byte stream ended in the middle of a frame. */
export class FrameTruncatedError extends FrameError {
  constructor(readonly bufferedBytes: number) {
    super('ERR_FRAME_TRUNCATED', `stream ended inside a frame (${bufferedBytes} bytes buffered)`, {
      retryable: false,
    });
  }
}

/** The TLS handshake failed for a reason other than certificate verification. */
export class TlsHandshakeError extends AgentlinkError {
  constructor(
    readonly reason: string,
    cause?: unknown,
  ) {
    super(
      'ERR_TLS_HANDSHAKE',
      `TLS handshake failed: ${reason}; ` +
        'check both peers use TLS 1.3, ALPN agentlink/1 and certificates from the fleet CA',
      {
        retryable: false,
        // Never retried, yet the peer's failure: it opens that peer's breaker (see classifyError).
        peerFailure: true,
        cause,
      },
    );
  }
}

/** The peer's certificate chain failed verification (expired, not yet valid, unknown CA, self-signed, wrong name). */
export class CertificateVerificationError extends AgentlinkError {
  constructor(
    readonly reason: string,
    cause?: unknown,
  ) {
    super(
      'ERR_CERT_VERIFICATION',
      `peer certificate refused: ${reason}; issue the peer a valid certificate from the fleet CA`,
      {
        retryable: false,
        // Never retried, yet the peer's failure: it opens that peer's breaker (see classifyError).
        peerFailure: true,
        cause,
      },
    );
  }
}

/** The peer's certificate is valid but does not name the expected identity, host or usage. */
export class PeerIdentityError extends AgentlinkError {
  constructor(readonly reason: string) {
    // Never retried, yet the peer's failure: it opens that peer's breaker (see classifyError).
    super('ERR_PEER_IDENTITY', `peer identity refused: ${reason}`, { retryable: false, peerFailure: true });
  }
}

/**
 * The peer's chain passed the TLS library's verification but breaks our certificate policy:
 * `reason` names the rule (a fixed set, see CERTIFICATE_POLICY_REASONS).
 */
export class PeerCertificatePolicyError extends AgentlinkError {
  constructor(
    readonly reason: CertificatePolicyReason,
    readonly role: CertificateRole,
    readonly subject: string,
    detail: string,
  ) {
    const message = `${role} certificate "${subject}" refused (${reason}): ${detail}`;
    super('ERR_PEER_CERT_POLICY', `${message}; issue the peer a certificate that meets the policy`, {
      retryable: false,
      // Never retried, yet the peer's failure: it opens that peer's breaker (see classifyError).
      peerFailure: true,
    });
  }
}

/**
 * Development-only material without the explicit `development: true` option (verification off,
 * development certificates), at construction or rotation.
 */
export class ProductionGuardError extends AgentlinkError {
  constructor(code: 'ERR_DEV_CERTS_IN_PRODUCTION' | 'ERR_VERIFICATION_DISABLED_IN_PRODUCTION', message: string) {
    super(code, `${message}; refused unless the transport is created with development: true (never in production)`, {
      retryable: false,
    });
  }
}

/**
 * This agent's own certificate (or a CA it trusts) breaks the certificate policy at start or
 * rotation: expired, not yet valid, a CA as leaf, a weak key, missing EKU. `reason` names the rule.
 */
export class LocalCertificateInvalidError extends AgentlinkError {
  constructor(
    readonly subject: string,
    detail: string,
    readonly reason?: CertificatePolicyReason,
    readonly field?: string,
  ) {
    const where = field === undefined ? '' : ` (${field})`;
    const rule = reason === undefined ? '' : ` (${reason})`;
    const message = `own certificate "${subject}"${where} is ${detail}${rule}`;
    super('ERR_LOCAL_CERT_INVALID', `${message}; replace it before starting`, {
      retryable: false,
    });
  }
}

/** Dialling did not produce a connection in time (no answer over UDP or TCP). */
export class ConnectTimeoutError extends AgentlinkError {
  constructor(
    readonly address: string,
    readonly timeoutMs: number,
  ) {
    super(
      'ERR_CONNECT_TIMEOUT',
      `no connection to ${address} within ${timeoutMs} ms; the peer may be down or the network blocked`,
      { retryable: true },
    );
  }
}

/** Dialling failed at the network level (refused, unreachable, reset). */
export class ConnectFailedError extends AgentlinkError {
  constructor(
    readonly address: string,
    reason: string,
    cause?: unknown,
  ) {
    super('ERR_CONNECT_FAILED', `could not connect to ${address}: ${reason}`, { retryable: true, cause });
  }
}

/** The listener is shutting down and turned the connection away; try another peer or later. */
export class PeerUnavailableError extends AgentlinkError {
  constructor(readonly address: string) {
    super('ERR_PEER_UNAVAILABLE', `${address} is shutting down and accepts no new connections`, { retryable: true });
  }
}

/** The connection closed before the operation finished. */
export class ConnectionClosedError extends AgentlinkError {
  constructor(reason: string) {
    super('ERR_CONNECTION_CLOSED', `connection closed: ${reason}; reconnect and retry if the call is idempotent`, {
      retryable: true,
    });
  }
}

/** The request did not complete within its deadline; only that request was cancelled. */
export class RequestTimeoutError extends AgentlinkError {
  constructor(
    readonly method: string,
    readonly deadlineMs: number,
  ) {
    super('ERR_REQUEST_TIMEOUT', `request "${method}" got no response within ${deadlineMs} ms`, { retryable: true });
  }
}

/** The caller aborted the request through its AbortSignal. */
export class RequestAbortedError extends AgentlinkError {
  constructor(readonly method: string) {
    super('ERR_REQUEST_ABORTED', `request "${method}" was aborted by the caller`, { retryable: false });
  }
}

/** The remote handler failed; `remoteCode` is the code it reported. */
export class RemoteError extends AgentlinkError {
  constructor(
    readonly method: string,
    readonly remoteCode: string,
    remoteMessage: string,
  ) {
    super('ERR_REMOTE', `remote handler for "${method}" failed with ${remoteCode}: ${remoteMessage}`, {
      retryable: false,
    });
  }
}

/** The peer sent frames that break the protocol (unknown stream, duplicate id). */
export class ProtocolViolationError extends AgentlinkError {
  constructor(detail: string) {
    super('ERR_PROTOCOL', `protocol violation by peer: ${detail}`, { retryable: false });
  }
}

/** A transport was used after close(), or listen() was called twice. */
export class TransportStateError extends AgentlinkError {
  constructor(detail: string) {
    super('ERR_TRANSPORT_STATE', detail, { retryable: false });
  }
}
