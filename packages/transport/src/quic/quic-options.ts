import { InvalidOptionsError } from '@agentlink/resilience';
import { ALPN_PROTOCOL } from '../tcp/tcp-tls-transport';
import type { QuicTransportOptions, TlsCredentials } from '../types';
import { datagramBytesFor, LOOPBACK_DATAGRAM_BYTES, PATH_DATAGRAM_BYTES } from './endpoint/datagram-size';
import {
  CONGESTION_CONTROLS,
  DEFAULT_CONGESTION_CONTROL,
  type CongestionControl,
  type EndpointSettings,
} from './endpoint/quiche-config';
import type { LaneSettings } from './quic-lanes';

/** QUIC options with every default applied and checked. */
export interface ResolvedQuicOptions {
  readonly keepAliveIntervalMs: number;
  readonly maxIdleTimeoutMs: number;
  readonly maxConcurrentStreams: number;
  readonly retry: boolean;
  readonly coalesceSends: boolean;
  readonly tailLossProbe: boolean;
  readonly alpn: readonly string[];
  readonly congestionControl: CongestionControl;
  /** UDP payload limit towards peers on other hosts. */
  readonly maxUdpPayloadBytes: number;
  /** Small requests of a dialer share one stream (maxFrameBytes 0: off). */
  readonly lanes: LaneSettings;
  /** Set when 0-RTT is on. */
  readonly zeroRtt: ResolvedZeroRtt | undefined;
}

export interface ResolvedZeroRtt {
  readonly idempotentMethods: ReadonlySet<string>;
  readonly maxTickets: number;
}

/** Frame bytes (header included) up to which a request rides the lane: a few hundred bytes of body and method. */
const DEFAULT_LANE_MAX_BYTES = 1024;

/** Unidirectional streams a peer may open (each refused with STOP_SENDING): room for an HTTP/3 peer's three. */
const PEER_UNI_STREAMS = 3;

function optionalBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidOptionsError(`${name} must be a boolean, got ${typeof value}`);
  return value;
}

function alpnList(value: unknown): readonly string[] {
  if (value === undefined) return [ALPN_PROTOCOL];
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((p) => typeof p === 'string' && p.length > 0 && Buffer.byteLength(p) <= 255);
  if (!valid) throw new InvalidOptionsError('alpn must be a non-empty array of 1-255 byte protocol names');
  return [...(value as string[])];
}

/** RFC 9000 §14: every QUIC path carries at least 1,200-byte UDP payloads. */
const MIN_UDP_PAYLOAD_BYTES = 1200;

function congestionControl(value: unknown): CongestionControl {
  if (value === undefined) return DEFAULT_CONGESTION_CONTROL;
  if (!CONGESTION_CONTROLS.includes(value as CongestionControl)) {
    throw new InvalidOptionsError(`congestionControl must be one of ${CONGESTION_CONTROLS.join(', ')}`);
  }
  return value as CongestionControl;
}

function udpPayloadBytes(value: unknown): number {
  if (value === undefined) return PATH_DATAGRAM_BYTES;
  const valid = Number.isInteger(value) && (value as number) >= MIN_UDP_PAYLOAD_BYTES;
  if (!valid || (value as number) > LOOPBACK_DATAGRAM_BYTES) {
    throw new InvalidOptionsError(
      `maxUdpPayloadBytes must be an integer from ${MIN_UDP_PAYLOAD_BYTES} to ${LOOPBACK_DATAGRAM_BYTES}`,
    );
  }
  return value as number;
}

function zeroRttOptions(value: QuicTransportOptions['zeroRtt']): ResolvedZeroRtt | undefined {
  if (value === undefined) return undefined;
  const methods: unknown = (value as { idempotentMethods?: unknown } | null)?.idempotentMethods;
  if (!Array.isArray(methods) || !methods.every((m) => typeof m === 'string' && m.length > 0)) {
    throw new InvalidOptionsError('zeroRtt.idempotentMethods must be an array of method names');
  }
  const maxTickets = value.maxTickets ?? 256;
  if (!Number.isInteger(maxTickets) || maxTickets < 1) {
    throw new InvalidOptionsError('zeroRtt.maxTickets must be a positive integer');
  }
  return { idempotentMethods: new Set(methods as string[]), maxTickets };
}

export function resolveQuicOptions(options: QuicTransportOptions): ResolvedQuicOptions {
  const resolved = {
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? 10_000,
    maxIdleTimeoutMs: options.maxIdleTimeoutMs ?? 30_000,
    maxConcurrentStreams: options.maxConcurrentStreams ?? 100,
    retry: optionalBoolean('retry', options.retry, true),
    coalesceSends: optionalBoolean('coalesceSends', options.coalesceSends, true),
    tailLossProbe: optionalBoolean('tailLossProbe', options.tailLossProbe, true),
    alpn: alpnList(options.alpn),
    congestionControl: congestionControl(options.congestionControl),
    maxUdpPayloadBytes: udpPayloadBytes(options.maxUdpPayloadBytes),
    zeroRtt: zeroRttOptions(options.zeroRtt),
    lanes: { maxFrameBytes: options.laneMaxBytes ?? DEFAULT_LANE_MAX_BYTES, capacity: 0 },
  };
  if (!Number.isInteger(resolved.lanes.maxFrameBytes) || resolved.lanes.maxFrameBytes < 0) {
    throw new InvalidOptionsError('laneMaxBytes must be a non-negative integer (0 turns lanes off)');
  }
  if (!(resolved.keepAliveIntervalMs > 0 && resolved.maxIdleTimeoutMs > resolved.keepAliveIntervalMs)) {
    throw new InvalidOptionsError('keepAliveIntervalMs must be positive and smaller than maxIdleTimeoutMs');
  }
  if (!Number.isInteger(resolved.maxConcurrentStreams) || resolved.maxConcurrentStreams < 1) {
    throw new InvalidOptionsError('maxConcurrentStreams must be a positive integer');
  }
  // A dialer may have as many lane exchanges in flight as it may have streams.
  return { ...resolved, lanes: { ...resolved.lanes, capacity: resolved.maxConcurrentStreams } };
}

/** What quiche needs for our side of a connection to a peer at `peerHost` (an IP address). */
export function endpointSettings(
  quic: ResolvedQuicOptions,
  credentials: TlsCredentials,
  verifyPeer: boolean,
  maxFrameBytes: number,
  peerHost: string,
): EndpointSettings {
  return {
    certPem: credentials.certPem,
    keyPem: credentials.keyPem,
    caPem: credentials.caPem,
    verifyPeer,
    alpn: quic.alpn,
    maxIdleTimeoutMs: quic.maxIdleTimeoutMs,
    // Headroom above our own slot limit: a finished stream's credit returns one round trip later.
    maxStreamsBidi: quic.maxConcurrentStreams * 2,
    maxStreamsUni: PEER_UNI_STREAMS,
    maxData: Math.max(10 * 1024 * 1024, maxFrameBytes * 4),
    maxStreamData: 1024 * 1024,
    maxDatagramBytes: datagramBytesFor(peerHost, quic.maxUdpPayloadBytes),
    congestionControl: quic.congestionControl,
    earlyData: quic.zeroRtt !== undefined,
  };
}
