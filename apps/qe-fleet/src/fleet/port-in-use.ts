import { PortInUseError } from '../errors';

interface SystemError {
  code?: unknown;
  syscall?: unknown;
  port?: unknown;
  cause?: unknown;
}

/** The EADDRINUSE error in `error`'s cause chain (QUIC wraps node's, node:net throws it as is). */
function addressInUse(error: unknown): SystemError | undefined {
  let e = error as SystemError | undefined;
  for (let depth = 0; e !== null && typeof e === 'object' && depth < 5; depth += 1) {
    if (e.code === 'EADDRINUSE') return e;
    e = e.cause as SystemError | undefined;
  }
  return undefined;
}

/**
 * The PortInUseError (ERR_PORT_IN_USE) for a listener that could not bind because its port is
 * taken, naming protocol, address and port; undefined for any other failure. `purpose` says
 * which listener (the transport's or the /metrics server).
 */
export function portInUse(error: unknown, host: string, purpose: string, port: number): PortInUseError | undefined {
  const cause = addressInUse(error);
  if (cause === undefined) return undefined;
  // dgram fails in bind(), node:net in listen().
  const protocol = cause.syscall === 'bind' ? 'udp' : 'tcp';
  return new PortInUseError(protocol, host, typeof cause.port === 'number' ? cause.port : port, purpose, error);
}
