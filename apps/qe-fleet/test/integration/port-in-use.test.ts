import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDevelopmentCredentials, type TlsCredentials } from '@agentlink/transport';
import { startAgentNode } from '../../src/fleet/agent-node';
import { PortInUseError } from '../../src/errors';

// Issue 16: a port in use is a typed error naming the protocol and the port, not "Could not bind".
let credentials: TlsCredentials;
const udp = dgram.createSocket('udp4');
const tcp = net.createServer();
let udpPort = 0;
let tcpPort = 0;

beforeAll(async () => {
  credentials = (await createDevelopmentCredentials({ agentIds: ['executor-1'] })).agents['executor-1']!;
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
  udpPort = udp.address().port;
  tcpPort = (tcp.address() as net.AddressInfo).port;
});

afterAll(async () => {
  udp.close();
  await new Promise((resolve) => tcp.close(resolve));
});

const start = (transport: 'quic' | 'tcp' | 'auto', ports: { port?: number; tcpPort?: number; metricsPort?: number }) =>
  startAgentNode({
    id: 'executor-1',
    role: 'executor',
    transport,
    credentials,
    development: true,
    host: '127.0.0.1',
    ...ports,
  }).then(
    async (node) => {
      await node.close();
      return 'started';
    },
    (error: unknown) => error,
  );

describe('a listener port in use', () => {
  it.each([
    ['quic', { port: -1 }, 'udp'],
    ['tcp', { port: 0, tcpPort: -2 }, 'tcp'],
    ['auto', { port: 0, tcpPort: -2 }, 'tcp'],
    ['auto', { port: -1, tcpPort: 0 }, 'udp'],
    ['quic', { port: 0, metricsPort: -2 }, 'tcp'],
  ] as const)('%s %j: ERR_PORT_IN_USE naming %s and the port', async (transport, spec, protocol) => {
    const resolve = (n: number | undefined): number | undefined => (n === -1 ? udpPort : n === -2 ? tcpPort : n);
    const taken = protocol === 'udp' ? udpPort : tcpPort;
    const error = await start(transport, {
      port: resolve(spec.port),
      tcpPort: resolve('tcpPort' in spec ? spec.tcpPort : undefined),
      metricsPort: resolve('metricsPort' in spec ? spec.metricsPort : undefined),
    });
    expect(error).toBeInstanceOf(PortInUseError);
    expect(error).toMatchObject({ code: 'ERR_PORT_IN_USE', protocol, port: taken, host: '127.0.0.1' });
    expect((error as Error).message).toContain(`${protocol.toUpperCase()} 127.0.0.1:${taken}`);
  });
});
