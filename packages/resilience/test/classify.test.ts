import { describe, expect, it } from '@jest/globals';
import {
  AbortedError,
  AgentlinkError,
  BreakerOpenError,
  BulkheadRejectedError,
  classifyError,
  DeadlineExceededError,
  InvalidOptionsError,
  isPeerFailure,
  isRetryableError,
  RetriesExhaustedError,
} from '../src/index';

const withCode = (code: string, message = code): Error => Object.assign(new Error(message), { code });
const abortError = (): Error => {
  const controller = new AbortController();
  controller.abort();
  return controller.signal.reason as Error;
};

// [description, error, expected retryable]
const table: Array<[string, unknown, boolean]> = [
  ['ECONNRESET', withCode('ECONNRESET'), true],
  ['ETIMEDOUT', withCode('ETIMEDOUT'), true],
  ['ECONNREFUSED', withCode('ECONNREFUSED'), true],
  ['EPIPE', withCode('EPIPE'), true],
  ['EAI_AGAIN', withCode('EAI_AGAIN'), true],
  ['EHOSTUNREACH', withCode('EHOSTUNREACH'), true],
  ['ENETUNREACH', withCode('ENETUNREACH'), true],
  ['idle timeout (QUIC, no code)', new Error('connection idle timeout'), true],
  ['stream reset', new Error('stream reset by peer'), true],
  ['HTTP 503 overload', Object.assign(new Error('busy'), { statusCode: 503 }), true],
  ['HTTP 429', Object.assign(new Error('slow down'), { status: 429 }), true],
  ['TimeoutError from AbortSignal.timeout', new DOMException('timed out', 'TimeoutError'), true],
  ['CERT_HAS_EXPIRED', withCode('CERT_HAS_EXPIRED', 'certificate has expired'), false],
  [
    'ERR_TLS_CERT_ALTNAME_INVALID',
    withCode('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"),
    false,
  ],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), false],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), false],
  ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', withCode('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'), false],
  ['TLS failure without code', new Error('TLS handshake failed: bad certificate'), false],
  ['HTTP 401 authentication', Object.assign(new Error('unauthorised'), { statusCode: 401 }), false],
  ['HTTP 413 oversize', Object.assign(new Error('too large'), { statusCode: 413 }), false],
  ['HTTP 400 validation', Object.assign(new Error('bad'), { status: 400 }), false],
  ['TypeError', new TypeError('x is not a function'), false],
  ['RangeError', new RangeError('out of range'), false],
  ['AbortError from AbortController', abortError(), false],
  ['unknown plain Error', new Error('something odd'), false],
  ['a string thrown', 'boom', false],
  ['undefined thrown', undefined, false],
  ['BreakerOpenError', new BreakerOpenError('peer-1'), true],
  ['DeadlineExceededError', new DeadlineExceededError(100), true],
  ['BulkheadRejectedError', new BulkheadRejectedError(1, 0), true],
  ['AbortedError', new AbortedError(), false],
  ['InvalidOptionsError', new InvalidOptionsError('bad'), false],
  ['RetriesExhaustedError', new RetriesExhaustedError(3, 'attempts', new Error('x')), false],
  ['duck-typed error with retryable: true', { code: 'ERR_PEER_GOING_AWAY', retryable: true }, true],
  ['duck-typed error with retryable: false', { code: 'ERR_FRAME_TOO_LARGE', retryable: false }, false],
];

describe('classifyError', () => {
  it('covers at least 20 distinct errors', () => {
    expect(table.length).toBeGreaterThanOrEqual(20);
  });

  it.each(table)('classifies %s', (_name, error, retryable) => {
    expect(classifyError(error).retryable).toBe(retryable);
    expect(isRetryableError(error)).toBe(retryable);
    expect(typeof classifyError(error).reason).toBe('string');
  });

  it('names the reason', () => {
    expect(classifyError(withCode('ECONNRESET')).reason).toBe('ECONNRESET');
    expect(classifyError(withCode('CERT_HAS_EXPIRED')).reason).toBe('tls');
    expect(classifyError(new TypeError('x')).reason).toBe('programmer-error');
    expect(classifyError(new BreakerOpenError('p')).reason).toBe('ERR_BREAKER_OPEN');
  });

  // Issue 15: a refused certificate is never retried, but it is the peer's failure (its breaker opens).
  it.each([
    ['a node:tls verification code', withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), false, true],
    ['a TLS message without a code', new Error('TLS handshake failed: unknown ca'), false, true],
    [
      'a typed refusal (peerFailure: true)',
      new (class extends AgentlinkError {})('ERR_PEER_CERT_POLICY', 'refused', {
        retryable: false,
        peerFailure: true,
      }),
      false,
      true,
    ],
    ['a connection refused', withCode('ECONNREFUSED'), true, true],
    [
      'a validation error',
      Object.assign(new Error('bad'), { code: 'ERR_VALIDATION', retryable: false }),
      false,
      false,
    ],
    ['a programmer error', new TypeError('x'), false, false],
    ['an abort', abortError(), false, false],
    ['a typed permanent error', new InvalidOptionsError('x'), false, false],
  ] as const)('peer failure: %s', (_name, error, retryable, peerFailure) => {
    expect(classifyError(error)).toMatchObject({ retryable, peerFailure });
    expect(isPeerFailure(error)).toBe(peerFailure);
  });
});
