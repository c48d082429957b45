import dgram from 'node:dgram';
import net from 'node:net';

/** Asks the kernel for `count` free UDP and TCP ports on a host (they are released before use). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<Array<{ udp: number; tcp: number }>> {
  const udps: dgram.Socket[] = [];
  const tcps: net.Server[] = [];
  try {
    const ports: Array<{ udp: number; tcp: number }> = [];
    for (let i = 0; i < count; i += 1) {
      const udp = dgram.createSocket('udp4');
      udps.push(udp);
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(0, host, () => resolve());
      });
      const tcp = net.createServer();
      tcps.push(tcp);
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(0, host, () => resolve());
      });
      ports.push({ udp: udp.address().port, tcp: (tcp.address() as net.AddressInfo).port });
    }
    return ports;
  } finally {
    for (const udp of udps) udp.close();
    await Promise.all(tcps.map((tcp) => new Promise((resolve) => tcp.close(resolve))));
  }
}
