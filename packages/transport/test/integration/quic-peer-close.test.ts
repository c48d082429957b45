import { describe, expect, it } from '@jest/globals';
import { QuicTransport } from '../../src/quic/quic-transport';
import { createTestPki } from '../helpers';
import { failOnUncaughtErrors } from '../support/no-uncaught';
import { rawQuicClient } from '../support/raw-quic-client';

// After a datagram quiche accepted, the connection asks quiche one thing (isDraining()) to learn
// that the peer closed: the close must be reported when that CONNECTION_CLOSE arrives, not when
// a timer fires (the loss timer, or quiche's draining period of 3 PTO) and the full check runs.

describe("a peer's CONNECTION_CLOSE", () => {
  failOnUncaughtErrors();

  it('is reported on arrival, while quiche is still draining', async () => {
    const pki = await createTestPki();
    const server = new QuicTransport({ credentials: pki.server });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const client = await rawQuicClient(port, pki.client);
    try {
      await client.established;
      const connection = client.connection;
      const native = connection.native;
      // Which datagram made quiche drain, and whether the close was reported while that datagram
      // was handled (not later, by a timer's full check or by recv() throwing on a later one).
      let datagrams = 0;
      let receiving = false;
      let drainingFrom: number | undefined;
      const receive = connection.receive.bind(connection);
      connection.receive = (datagram, host, port) => {
        datagrams += 1;
        const wasDraining = native.isDraining();
        receiving = true;
        receive(datagram, host, port);
        receiving = false;
        if (!wasDraining && native.isDraining()) drainingFrom = datagrams;
      };
      const handler = connection.handler;
      let atReport: { datagram: number; receiving: boolean; closed: boolean } | undefined;
      connection.handler = {
        ...handler,
        closed: (info) => {
          atReport = { datagram: datagrams, receiving, closed: native.isClosed() };
          handler.closed(info);
        },
      };
      const closing = server.close({ force: true });
      const info = await client.closed;
      await closing;
      expect(info.by).toBe('peer');
      expect(drainingFrom).toBeDefined();
      expect(atReport).toEqual({ datagram: drainingFrom, receiving: true, closed: false });
    } finally {
      await client.close();
      await server.close();
    }
  });
});
