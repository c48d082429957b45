import { isIP } from 'node:net';
import { MAX_DATAGRAM_BYTES } from './native';

/**
 * UDP payload we send to a peer on another host: quiche's default, which fits a 1,500-byte MTU
 * with room for tunnels (we do no path MTU discovery, and IP fragments are lost or filtered).
 */
export const PATH_DATAGRAM_BYTES = MAX_DATAGRAM_BYTES;
/**
 * UDP payload to a peer on this host: the loopback interface's MTU is 64 KiB, so nothing is
 * fragmented, and a 256 KiB message takes 17 datagrams each way instead of 200 (each costs a
 * system call and a quiche packet on both sides). quiche builds packets of at most about 16 KiB
 * whatever the limit (measured: 32 and 60 KiB limits still gave 16 KiB datagrams).
 */
export const LOOPBACK_DATAGRAM_BYTES = 16 * 1024;

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback: a peer on this host. */
export function isLoopbackAddress(host: string): boolean {
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  if (family === 6) return host === '::1' || host.toLowerCase().startsWith('::ffff:127.');
  return false;
}

/**
 * The largest UDP payload we send to (and accept from) a peer at `host`; `pathBytes` for a peer on
 * another host (the transport's `maxUdpPayloadBytes`, for a path whose MTU the operator knows).
 */
export function datagramBytesFor(host: string, pathBytes: number = PATH_DATAGRAM_BYTES): number {
  return isLoopbackAddress(host) ? LOOPBACK_DATAGRAM_BYTES : pathBytes;
}
