import { isIP } from 'node:net';
import { InvalidOptionsError } from '@agentlink/resilience';
import type { QuicCloseInfo } from './endpoint/close-info';
import type { ConnectionHandler } from './endpoint/quic-connection';

const LOOPBACK = new Set(['127.0.0.1', '::1']);
const ignore = (): void => undefined;

export function formatAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * BoringSSL checks the server name natively but only against DNS SANs. For a loopback IP we let
 * it check 'localhost' and check the IP SAN ourselves after the handshake; other IPs need a DNS name.
 */
export function nativeServerName(serverName: string): string {
  if (isIP(serverName) === 0) return serverName;
  if (LOOPBACK.has(serverName)) return 'localhost';
  throw new InvalidOptionsError(`QUIC dial to ${serverName} needs a DNS serverName: quiche verifies DNS names only`);
}

/** A handler for a connection that has no frame link yet (handshake, policy check, 0-RTT start). */
export function pendingHandler(
  established: () => void,
  closed: (info: QuicCloseInfo) => void,
  earlyData?: () => void,
): ConnectionHandler {
  return { established, closed, earlyData, streamReadable: ignore, afterEvent: ignore };
}
