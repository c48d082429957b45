import dgram from 'node:dgram';
import net from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { ephemeralPortRange, freePorts } from '../../src/fleet/free-ports';

const bindUdp = (port: number): Promise<dgram.Socket> =>
  new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });

const listenTcp = (port: number): Promise<net.Server> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

describe('freePorts', () => {
  it('picks distinct ports below the ephemeral range, free to bind once returned', async () => {
    // Below the range, no bind(0) or outgoing connection of another process can take them before
    // the agents bind (the race behind a CI failure: ERR_PORT_IN_USE on a port picked this way).
    const [low] = ephemeralPortRange();
    const ports = await freePorts(8);
    expect(ports).toHaveLength(8);
    for (const { udp, tcp } of ports) {
      expect(udp).toBeLessThan(low);
      expect(tcp).toBeLessThan(low);
    }
    expect(new Set(ports.map((p) => p.udp)).size).toBe(8);
    expect(new Set(ports.map((p) => p.tcp)).size).toBe(8);
    const sockets = await Promise.all(ports.map((p) => bindUdp(p.udp)));
    const servers = await Promise.all(ports.map((p) => listenTcp(p.tcp)));
    for (const socket of sockets) socket.close();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('never picks a port of an avoided span (the agents bind --metrics-port N + i later themselves)', async () => {
    // A fleet's own /metrics range was free when its peer ports were drawn, so one of them could land on it:
    // ERR_PORT_IN_USE for an agent's /metrics in CI. Avoid all but the top 2,000 ports below the range.
    const [low] = ephemeralPortRange();
    const span = { first: 10_000, count: low - 2_000 - 10_000 };
    const ports = await freePorts(8, '127.0.0.1', [span]);
    for (const port of ports.flatMap((p) => [p.udp, p.tcp])) {
      expect(port).toBeGreaterThanOrEqual(span.first + span.count);
      expect(port).toBeLessThan(low);
    }
  });

  it('reads the kernel ephemeral range on Linux', () => {
    const [low, high] = ephemeralPortRange();
    expect(low).toBeGreaterThan(1024);
    expect(high).toBeGreaterThan(low);
  });
});
