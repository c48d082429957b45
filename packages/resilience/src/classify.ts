import type { Classification } from './types';

// Node and libuv error codes of failures that usually go away by themselves.
const TEMPORARY_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ECONNABORTED',
  'ENOTCONN',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_HTTP2_STREAM_CANCEL',
  'ERR_SOCKET_CLOSED',
  'EOPENBREAKER',
  'ESEMLOCKED',
]);

// Node's TLS and OpenSSL verification codes: a bad certificate does not fix itself.
const TLS_CODE_PATTERN = new RegExp(
  '^(' +
    [
      'ERR_TLS_',
      'ERR_SSL_',
      'CERT_',
      'UNABLE_TO_(GET|VERIFY|DECRYPT)',
      'SELF_SIGNED_CERT',
      'DEPTH_ZERO_SELF_SIGNED',
      'HOSTNAME_MISMATCH',
      'ERR_OSSL_',
      'UNABLE_TO_GET_ISSUER_CERT',
      'INVALID_(CA|PURPOSE)',
      'CERT_UNTRUSTED',
      'CERT_REJECTED',
      'CERT_REVOKED',
    ].join('|') +
    ')',
);

// Messages of failures that carry no code but say what happened (QUIC libraries, proxies).
const TEMPORARY_MESSAGE = new RegExp(
  '(' +
    [
      'idle timeout',
      'timed out',
      'stream reset',
      'reset by peer',
      'overload',
      'service unavailable',
      'too many requests',
      '\\b503\\b',
      '\\b429\\b',
    ].join('|') +
    ')',
  'i',
);

interface ErrorLike {
  cause?: unknown;
  code?: unknown;
  retryable?: unknown;
  peerFailure?: unknown;
  name?: unknown;
  message?: unknown;
  status?: unknown;
  statusCode?: unknown;
}

const permanent = (reason: string): Classification => ({ retryable: false, reason, peerFailure: false });
const temporary = (reason: string): Classification => ({ retryable: true, reason, peerFailure: true });
// A refused certificate or TLS handshake: never retried, but the peer's fault (see Classification).
const refusedPeer = (): Classification => ({ retryable: false, reason: 'tls', peerFailure: true });

/** Classifies a Node/libuv/undici/TLS code, or answers undefined when the code says nothing. */
function codeClassification(code: string): Classification | undefined {
  if (TEMPORARY_CODES.has(code)) return temporary(code);
  if (TLS_CODE_PATTERN.test(code)) return refusedPeer();
  return undefined;
}

// fetch (undici) reports a socket failure as `TypeError: fetch failed` whose `cause` (sometimes
// one level further down) carries net's code; a few levels are enough and stop a cause cycle.
const MAX_CAUSE_DEPTH = 4;

/** The classification of the first coded cause in `err`'s cause chain, if any. */
function causeClassification(err: ErrorLike): Classification | undefined {
  let cause = err.cause;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && cause !== null && typeof cause === 'object'; depth++) {
    const code = (cause as ErrorLike).code;
    const byCode = typeof code === 'string' ? codeClassification(code) : undefined;
    if (byCode) return byCode;
    cause = (cause as ErrorLike).cause;
  }
  return undefined;
}

function httpStatusClassification(status: number): Classification | undefined {
  if (status === 429 || status === 502 || status === 503 || status === 504) return temporary(`http-${status}`);
  if (status === 401 || status === 403) return permanent('authentication');
  if (status === 400 || status === 413 || status === 422) return permanent(status === 413 ? 'oversize' : 'validation');
  return undefined;
}

/**
 * Says whether `err` is a temporary infrastructure failure (retry it, count it against a
 * breaker) or a permanent one (TLS, authentication, validation, oversize, programmer error),
 * and whether it is the peer's failure (`peerFailure`: temporary ones and TLS/certificate
 * refusals count towards the peer's breaker). Unknown errors are permanent and not the peer's:
 * retrying what we do not understand hides bugs.
 */
export function classifyError(err: unknown): Classification {
  if (err === null || err === undefined || (typeof err !== 'object' && typeof err !== 'function')) {
    return permanent('not-an-error');
  }
  const e = err as ErrorLike;
  if (typeof e.retryable === 'boolean') {
    const peerFailure = typeof e.peerFailure === 'boolean' ? e.peerFailure : e.retryable;
    return { retryable: e.retryable, reason: typeof e.code === 'string' ? e.code : 'typed-error', peerFailure };
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (e.name === 'AbortError' || code === 'ABORT_ERR') return permanent('aborted');
  if (e.name === 'TimeoutError') return temporary('timeout');
  const byCode = code === undefined ? undefined : codeClassification(code);
  if (byCode) return byCode;
  const byCause = causeClassification(e);
  if (byCause) return byCause;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status !== undefined) {
    const byStatus = httpStatusClassification(status);
    if (byStatus) return byStatus;
  }
  if (
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof SyntaxError ||
    err instanceof ReferenceError
  ) {
    return permanent('programmer-error');
  }
  if (typeof e.message === 'string') {
    // A timed-out handshake is a slow peer, not a bad certificate: test the temporary words first.
    if (TEMPORARY_MESSAGE.test(e.message)) return temporary('message');
    if (/certificate|tls|ssl|handshake/i.test(e.message)) return refusedPeer();
  }
  return permanent(code ?? 'unknown');
}

/** True when `err` counts against the peer's circuit breaker (see Classification.peerFailure). */
export function isPeerFailure(err: unknown): boolean {
  return classifyError(err).peerFailure;
}

/** True when retrying `err` later may succeed. */
export function isRetryableError(err: unknown): boolean {
  return classifyError(err).retryable;
}
