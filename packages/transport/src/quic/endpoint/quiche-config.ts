import { PATH_DATAGRAM_BYTES } from './datagram-size';
import { quiche, type QuicheConfig } from './native';

/**
 * Signature algorithms BoringSSL offers and accepts (it has no rsa_pss_pss_* or ed448), as
 * @matrixai/quic sets them.
 */
export const SIGALGS = [
  'rsa_pkcs1_sha256',
  'rsa_pkcs1_sha384',
  'rsa_pkcs1_sha512',
  'rsa_pss_rsae_sha256',
  'rsa_pss_rsae_sha384',
  'rsa_pss_rsae_sha512',
  'ecdsa_secp256r1_sha256',
  'ecdsa_secp384r1_sha384',
  'ecdsa_secp521r1_sha512',
  'ed25519',
].join(':');

/** What one side of our connections needs from quiche. */
export interface EndpointSettings {
  /** PEM; absent for a peer without a certificate (tests of refusals only). */
  readonly certPem?: string;
  readonly keyPem?: string;
  /** PEM of the trusted CA(s); BoringSSL verifies the peer's chain against it. */
  readonly caPem?: string;
  /** Verify the peer's certificate chain (a server then requires a client certificate). */
  readonly verifyPeer: boolean;
  /** ALPN protocols we offer or accept, most preferred first. */
  readonly alpn: readonly string[];
  /** Idle timeout in ms (0 = none). */
  readonly maxIdleTimeoutMs: number;
  /** Bidirectional streams the peer may open at once. */
  readonly maxStreamsBidi: number;
  /** Unidirectional streams the peer may open at once (we refuse each with STOP_SENDING). */
  readonly maxStreamsUni: number;
  /** Connection-level flow-control window in bytes. */
  readonly maxData: number;
  /** Per-stream flow-control window in bytes. */
  readonly maxStreamData: number;
  /** Largest UDP payload we send and accept (datagram-size.ts). Default: PATH_DATAGRAM_BYTES. */
  readonly maxDatagramBytes?: number;
  /** quiche's congestion controller. Default: DEFAULT_CONGESTION_CONTROL. */
  readonly congestionControl?: CongestionControl;
  /** 0-RTT: a dialer may send early data with a ticket; a listener accepts it (README "0-RTT and replay"). */
  readonly earlyData?: boolean;
}

/** The congestion controllers quiche 0.18 has. */
export type CongestionControl = 'bbr' | 'cubic' | 'reno';
export const CONGESTION_CONTROLS: readonly CongestionControl[] = ['bbr', 'cubic', 'reno'];
/**
 * BBR: under random loss it keeps the window at the path's bandwidth-delay product where CUBIC
 * and Reno cut it at every loss (BENCHMARKS.md section 3: 1 % loss, 50 ms RTT, 16 streams).
 */
export const DEFAULT_CONGESTION_CONTROL: CongestionControl = 'bbr';

const encoder = new TextEncoder();

/** A quiche Config with BoringSSL doing the chain verification (verifyAllowFail is never set). */
export function buildQuicheConfig(settings: EndpointSettings): QuicheConfig {
  const ca = settings.caPem === undefined ? undefined : encoder.encode(settings.caPem);
  const key = settings.keyPem === undefined ? undefined : [encoder.encode(settings.keyPem)];
  const cert = settings.certPem === undefined ? undefined : [encoder.encode(settings.certPem)];
  const config = quiche.Config.withBoringSslCtx(settings.verifyPeer, false, ca, key, cert, SIGALGS);
  applyEndpointSettings(config, settings);
  return config;
}

/** Everything of `settings` but the certificates and verification, which withBoringSslCtx takes. */
export function applyEndpointSettings(config: QuicheConfig, settings: EndpointSettings): void {
  config.grease(true);
  config.setApplicationProtos([...settings.alpn]);
  config.setMaxIdleTimeout(settings.maxIdleTimeoutMs);
  config.setMaxRecvUdpPayloadSize(settings.maxDatagramBytes ?? PATH_DATAGRAM_BYTES);
  config.setMaxSendUdpPayloadSize(settings.maxDatagramBytes ?? PATH_DATAGRAM_BYTES);
  config.setInitialMaxData(settings.maxData);
  config.setInitialMaxStreamDataBidiLocal(settings.maxStreamData);
  config.setInitialMaxStreamDataBidiRemote(settings.maxStreamData);
  config.setInitialMaxStreamDataUni(settings.maxStreamData);
  config.setInitialMaxStreamsBidi(settings.maxStreamsBidi);
  config.setInitialMaxStreamsUni(settings.maxStreamsUni);
  // Migration is not supported (README): peers must not move to a new address.
  config.setDisableActiveMigration(true);
  config.setCcAlgorithmName(settings.congestionControl ?? DEFAULT_CONGESTION_CONTROL);
  // We send every datagram at once: SendInfo.at is an opaque napi External we cannot read. With
  // pacing on, quiche stamps a packet with its paced send time, later than the real one, so every
  // RTT sample came out short (srtt 35-47 ms on a 50 ms path) and BBR's window collapsed.
  config.enablePacing(false);
  if (settings.earlyData === true) config.enableEarlyData();
}
