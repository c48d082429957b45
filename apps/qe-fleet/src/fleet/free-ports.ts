import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { NoFreePortError } from '../errors';

/** The lowest port handed out, and the kernel's default ephemeral range where it cannot be read. */
export const LOWEST_PORT = 10_000;
const DEFAULT_EPHEMERAL_RANGE: readonly [number, number] = [32_768, 60_999];
const ATTEMPTS = 200;

/**
 * The range the kernel draws from for bind(0) and outgoing connections (Linux; the default
 * elsewhere). Ports chosen now and bound later by another process must lie outside it: any
 * process's next socket may otherwise take one in between.
 */
export function ephemeralPortRange(): readonly [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // not Linux
  }
  return DEFAULT_EPHEMERAL_RANGE;
}

/** A random port below `ephemeralLow` (the range's first port), leaving room for `span` consecutive ports. */
export function randomPortBelow(ephemeralLow: number, span = 1): number {
  const below = Math.max(ephemeralLow - span, LOWEST_PORT + 1);
  return LOWEST_PORT + Math.floor(Math.random() * (below - LOWEST_PORT));
}

const bindUdp = (socket: dgram.Socket, port: number, host: string): Promise<void> =>
  new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });

const listenTcp = (server: net.Server, port: number, host: string): Promise<void> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });

/** Consecutive ports reserved for something else (e.g. the agents' /metrics from --metrics-port N). */
export interface PortSpan {
  readonly first: number;
  readonly count: number;
}

/**
 * Finds `count` free UDP and TCP ports on a host for agents that other agents must know before
 * they start. They are released before use, so they come from below the ephemeral range, and
 * never from `avoid`: those ports are free now too, but the agents will bind them for other uses.
 */
export async function freePorts(
  count: number,
  host = '127.0.0.1',
  avoid: readonly PortSpan[] = [],
): Promise<Array<{ udp: number; tcp: number }>> {
  const avoided = (port: number): boolean =>
    avoid.some((span) => port >= span.first && port < span.first + span.count);
  const udps: dgram.Socket[] = [];
  const tcps: net.Server[] = [];
  const [ephemeralLow] = ephemeralPortRange();
  const take = async (protocol: 'udp' | 'tcp', open: (port: number) => Promise<void>): Promise<number> => {
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const port = randomPortBelow(ephemeralLow);
      if (avoided(port)) continue;
      try {
        await open(port);
        return port;
      } catch {
        // in use: try another
      }
    }
    throw new NoFreePortError(protocol, host, ephemeralLow, ATTEMPTS);
  };
  try {
    const ports: Array<{ udp: number; tcp: number }> = [];
    for (let i = 0; i < count; i += 1) {
      const udp = await take('udp', async (port) => {
        const socket = dgram.createSocket('udp4');
        try {
          await bindUdp(socket, port, host);
        } catch (error) {
          socket.close();
          throw error;
        }
        udps.push(socket);
      });
      const tcp = await take('tcp', async (port) => {
        const server = net.createServer();
        await listenTcp(server, port, host);
        tcps.push(server);
      });
      ports.push({ udp, tcp });
    }
    return ports;
  } finally {
    for (const udp of udps) udp.close();
    await Promise.all(tcps.map((tcp) => new Promise((resolve) => tcp.close(resolve))));
  }
}
