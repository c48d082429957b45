/**
 * The one place where benchmarks learn how QuicTransport does 0-RTT (issue 14 item 2: keep each
 * peer's TLS session ticket, send requests of idempotent methods in the first flight, fall back
 * to 1-RTT when the server refuses early data): the transport's `zeroRtt` option with 'echo'
 * declared idempotent, and `quicEarlyData()` to tell an accepted first flight from a fallback.
 *
 * How the benchmarks use a plan: the listener gets `plan.listener` (on top of `retry: false`),
 * the client transport `plan.client` (on top of `dialMode: 'eager'`) and lives for the whole
 * variant, so its first, unmeasured dial stores the server's ticket and every measured dial is a
 * resumption; the request carries `plan.request`. After each measured dial `plan.usedEarlyData`
 * must say the request went as accepted early data, else the dial is counted as a fallback and
 * the line fails: a 1-RTT figure must never pass for a 0-RTT one.
 */
import { quicEarlyData } from '@agentlink/transport';
import type { Connection, QuicTransportOptions, RequestOptions, ZeroRttOptions } from '@agentlink/transport';

export interface ZeroRttPlan {
  /** Listener options that accept early data for idempotent methods. */
  readonly listener: Partial<QuicTransportOptions>;
  /** Client options that keep session tickets per peer and send idempotent calls as early data. */
  readonly client: Partial<QuicTransportOptions>;
  /** Request options marking the benchmark's 'echo' call as idempotent (allowed as early data). */
  readonly request: RequestOptions;
  /** True when the connection's first request was sent as early data and the server accepted it. */
  usedEarlyData(connection: Connection): boolean;
}

export type ZeroRttSupport =
  { readonly available: true; readonly plan: ZeroRttPlan } | { readonly available: false; readonly reason: string };

/** The benchmark's only call, declared idempotent on both sides (an echo is safe to replay). */
const ZERO_RTT: ZeroRttOptions = { idempotentMethods: ['echo'] };

/** Whether this build of @agentlink/transport has 0-RTT, and how to ask for it. */
export function zeroRttSupport(): ZeroRttSupport {
  return {
    available: true,
    plan: {
      listener: { zeroRtt: ZERO_RTT },
      client: { zeroRtt: ZERO_RTT },
      request: {},
      // 'accepted': resumed, sent as early data and nothing had to be sent again in 1-RTT.
      usedEarlyData: (connection) => quicEarlyData(connection) === 'accepted',
    },
  };
}
