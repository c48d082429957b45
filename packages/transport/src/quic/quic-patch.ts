import { QuicPatchMissingError } from '../errors';

/**
 * The agentlink patch of @matrixai/quic stores the `retry` constructor option in `server.retry`;
 * the unpatched library has no such field and would silently keep Retry on.
 */
export function assertRetryHonoured(server: object, retry: boolean): void {
  if (!retry && (server as { retry?: unknown }).retry !== false) throw new QuicPatchMissingError('retry: false');
}
