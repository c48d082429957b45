import net from 'node:net';
import { ephemeralPortRange, randomPortBelow } from '../../src/fleet/free-ports';

/**
 * A base port with `count` consecutive free TCP ports on 127.0.0.1 (for --metrics-port), below
 * the kernel's ephemeral range so that no other test's socket takes one before the agents bind.
 */
export async function freeRange(count: number): Promise<number> {
  const [ephemeralLow] = ephemeralPortRange();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = randomPortBelow(ephemeralLow, count);
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
