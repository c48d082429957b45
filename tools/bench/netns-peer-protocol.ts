/** What the namespace rig's orchestrator and its peer processes (netns-peer.ts) say to each other. */
import type { DialMode } from '@agentlink/transport';
import type { PairTuning, TransportKind } from './connection-pair';
import type { DialSample } from './dial-sample';
import type { EchoLoadRow } from './echo-load';
import { zeroRttSupport } from './zero-rtt';

/** Listeners a server peer can run: transport defaults, QUIC with Retry off, QUIC with 0-RTT. */
export type ListenerName = 'tcp' | 'quic' | 'quic-retry-off' | 'quic-0rtt';

export const LISTENER_KIND: Readonly<Record<ListenerName, TransportKind>> = {
  tcp: 'tcp',
  quic: 'quic',
  'quic-retry-off': 'quic',
  'quic-0rtt': 'quic',
};

/** QUIC options a case gives both peers (`--quic` JSON), e.g. the congestion controller. */
export type QuicTuning = Pick<PairTuning, 'congestionControl' | 'maxUdpPayloadBytes' | 'tailLossProbe'>;

/** Listener options; 'quic-0rtt' throws when the transport has no 0-RTT. */
export function listenerTuning(name: ListenerName): PairTuning {
  if (name === 'quic-retry-off') return { retry: false };
  if (name !== 'quic-0rtt') return {};
  const support = zeroRttSupport();
  if (!support.available) throw new Error(support.reason);
  return { retry: false, ...support.plan.listener };
}

/** One way of dialling, measured dial by dial against the others. */
export interface DialVariant {
  readonly name: string;
  readonly listener: ListenerName;
  readonly dialMode: DialMode;
  /** Resume with the ticket of the previous connection and send the request as early data. */
  readonly zeroRtt?: boolean;
}

/** Server ready line: the port of every listener. */
export interface ServerReady {
  readonly event: 'ready';
  readonly ports: Partial<Record<ListenerName, number>>;
}

/** A load peer's result line. */
export interface LoadResult {
  readonly event: 'result';
  readonly row: EchoLoadRow;
}

/** A dial peer's result line: every variant's samples, and dials that did not use 0-RTT as planned. */
export interface DialResult {
  readonly event: 'result';
  readonly variants: Record<string, { samples: DialSample[]; earlyDataFallbacks: number }>;
}

export const isResultLine = (line: string): boolean => line.startsWith('{"event":"result"');
