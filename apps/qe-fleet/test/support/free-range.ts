import net from 'node:net';
import { LOWEST_PORT } from '../../src/fleet/free-ports';

/** Where the ranges start: well below the launcher's peer ports (LOWEST_PORT up) and the ephemeral range. */
const LOWEST_RANGE_PORT = 7_000;

/**
 * A base port with `count` consecutive free TCP ports on 127.0.0.1 (for --metrics-port). They lie
 * below the ports any fleet's launcher draws for its agents' peers (a test running beside this one
 * may start a fleet at any time) and below the kernel's ephemeral range (any socket's bind(0)), so
 * nothing else takes one before the agents bind.
 */
export async function freeRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = LOWEST_RANGE_PORT + Math.floor(Math.random() * (LOWEST_PORT - count - LOWEST_RANGE_PORT));
    const servers: net.Server[] = [];
    try {
      for (let i = 0; i < count; i += 1) {
        const server = net.createServer();
        servers.push(server);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(base + i, '127.0.0.1', () => resolve());
        });
      }
      return base;
    } catch {
      // taken: try another range
    } finally {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    }
  }
  throw new Error('no free port range');
}
