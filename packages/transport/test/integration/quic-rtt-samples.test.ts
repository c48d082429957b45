import { beforeAll, describe, expect, it } from '@jest/globals';
import type { QuicConnection } from '../../src/quic/endpoint/quic-connection';
import { QuicEndpoint } from '../../src/quic/endpoint/quic-endpoint';
import { buildQuicheConfig } from '../../src/quic/endpoint/quiche-config';
import { ALPN_PROTOCOL } from '../../src/tcp/tcp-tls-transport';
import { closedAfterEach, createTestPki, type TestPki, waitFor } from '../helpers';
import { failOnUncaughtErrors } from '../support/no-uncaught';
import { rawQuicClient } from '../support/raw-quic-client';
import { UdpRelay } from '../support/udp-relay';

const DELAY_MS = 20;

/**
 * Our endpoint sends each datagram as soon as quiche builds it. With quiche's pacing on, quiche
 * records a packet as sent at its paced release time instead, later than it really left, so RTT
 * samples come out short and BBR's window (bandwidth x min RTT) collapses (BENCHMARKS.md section 3).
 */
describe('QUIC RTT samples through a delayed path', () => {
  let pki: TestPki;
  const open = closedAfterEach();
  failOnUncaughtErrors();

  beforeAll(async () => {
    pki = await createTestPki();
  });

  it('measures at least the path round trip after a 1 MiB burst (pacing off, datagrams sent at once)', async () => {
    let received = 0;
    const drain = Buffer.alloc(65536);
    const server = await QuicEndpoint.open({
      host: '127.0.0.1',
      port: 0,
      connection: { coalesceSends: true, keepAliveIntervalMs: 0, startTimeoutMs: 5000 },
      accept: {
        retry: false,
        config: () =>
          buildQuicheConfig({
            ...pki.server,
            verifyPeer: true,
            alpn: [ALPN_PROTOCOL],
            maxIdleTimeoutMs: 20_000,
            maxStreamsBidi: 10,
            maxStreamsUni: 0,
            maxData: 1 << 24,
            maxStreamData: 1 << 22,
          }),
        onConnection: (connection: QuicConnection) => {
          connection.handler = {
            established: () => connection.serve(),
            streamReadable: (streamId) => {
              for (let read = connection.native.streamRecv(streamId, drain); read !== null; ) {
                received += read[0];
                read = connection.native.streamRecv(streamId, drain);
              }
            },
            afterEvent: () => undefined,
            closed: () => undefined,
          };
        },
      },
    });
    open.push(server);
    const relay = await UdpRelay.start(server.port, '127.0.0.1', DELAY_MS);
    open.push(relay);
    const client = await rawQuicClient(relay.port, pki.client, { maxStreamData: 1 << 22, maxData: 1 << 24 });
    open.push(client);
    await client.established;
    const burst = Buffer.alloc(1 << 20, 1);
    // quiche takes what its window allows: write the rest as ACKs open it.
    for (let offset = 0; offset < burst.byteLength; ) {
      offset += client.connection.native.streamSend(0, burst.subarray(offset), true) ?? 0;
      client.connection.flush();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await waitFor(() => received === burst.byteLength, 20_000, 'the whole burst at the server');
    await new Promise((resolve) => setTimeout(resolve, 5 * DELAY_MS)); // the last ACKs come back
    const [path] = [...client.connection.native.pathStats()];
    // Delays only lengthen a real sample; a short one means quiche stamped packets after they left.
    expect(path?.rtt).toBeGreaterThanOrEqual(2 * DELAY_MS);
  });
});
