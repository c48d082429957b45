import {
  FallbackTransport,
  QuicTransport,
  TcpTlsTransport,
  type TlsCredentials,
  type Transport,
} from '@agentlink/transport';

export type TransportChoice = 'quic' | 'tcp' | 'auto';

/** Timing of the wire, tuned so a dead peer is noticed within seconds, not the 30 s defaults. */
export interface WireTuning {
  /** Dial deadline in ms. Default 2,000. */
  readonly connectTimeoutMs?: number;
  /** QUIC keep-alive in ms. Default 1,000. */
  readonly keepAliveIntervalMs?: number;
  /** QUIC idle timeout in ms. Default 5,000. */
  readonly maxIdleTimeoutMs?: number;
}

/**
 * Creates the @agentlink/transport instance for the chosen wire. `development` (default false)
 * lets it accept development certificates: only for fleets that generated their own development CA.
 */
export function createTransport(
  choice: TransportChoice,
  credentials: TlsCredentials,
  tuning: WireTuning = {},
  development = false,
): Transport {
  const connectTimeoutMs = tuning.connectTimeoutMs ?? 2_000;
  const common = { credentials, development, connectTimeoutMs, drainTimeoutMs: 1_000 };
  const quic = (): QuicTransport =>
    new QuicTransport({
      ...common,
      keepAliveIntervalMs: tuning.keepAliveIntervalMs ?? 1_000,
      maxIdleTimeoutMs: tuning.maxIdleTimeoutMs ?? 5_000,
    });
  if (choice === 'quic') return quic();
  if (choice === 'tcp') return new TcpTlsTransport(common);
  return new FallbackTransport({ quic: quic(), tcp: new TcpTlsTransport(common), quicAttemptMs: 1_000 });
}
