import { QuicTransport } from '../../src/quic/quic-transport';
import { TcpTlsTransport } from '../../src/tcp/tcp-tls-transport';
import { runTransportCompliance } from '../compliance/transport-compliance';
import { createTestPki } from '../helpers';

runTransportCompliance('QUIC', {
  setup: async () => {
    const pki = await createTestPki();
    const server = new QuicTransport({ credentials: pki.server });
    const client = new QuicTransport({ credentials: pki.client });
    return { server, client, address: await server.listen({ host: '127.0.0.1', port: 0 }) };
  },
  teardown: async ({ server, client }) => {
    await client.close();
    await server.close();
  },
});

runTransportCompliance('QUIC with Retry off and coalesceSends', {
  setup: async () => {
    const pki = await createTestPki();
    const options = { retry: false, coalesceSends: true } as const;
    const server = new QuicTransport({ credentials: pki.server, ...options });
    const client = new QuicTransport({ credentials: pki.client, ...options });
    return { server, client, address: await server.listen({ host: '127.0.0.1', port: 0 }) };
  },
  teardown: async ({ server, client }) => {
    await client.close();
    await server.close();
  },
});

runTransportCompliance('QUIC with Retry off, coalesceSends and eager dials', {
  setup: async () => {
    const pki = await createTestPki();
    const options = { retry: false, coalesceSends: true } as const;
    const server = new QuicTransport({ credentials: pki.server, ...options });
    const client = new QuicTransport({ credentials: pki.client, ...options, dialMode: 'eager' });
    return { server, client, address: await server.listen({ host: '127.0.0.1', port: 0 }) };
  },
  teardown: async ({ server, client }) => {
    await client.close();
    await server.close();
  },
});

runTransportCompliance('QUIC with coalesceSends off', {
  setup: async () => {
    const pki = await createTestPki();
    const server = new QuicTransport({ credentials: pki.server, coalesceSends: false });
    const client = new QuicTransport({ credentials: pki.client, coalesceSends: false });
    return { server, client, address: await server.listen({ host: '127.0.0.1', port: 0 }) };
  },
  teardown: async ({ server, client }) => {
    await client.close();
    await server.close();
  },
});

runTransportCompliance('TCP', {
  setup: async () => {
    const pki = await createTestPki();
    const server = new TcpTlsTransport({ credentials: pki.server });
    const client = new TcpTlsTransport({ credentials: pki.client });
    return { server, client, address: await server.listen({ host: '127.0.0.1', port: 0 }) };
  },
  teardown: async ({ server, client }) => {
    await client.close();
    await server.close();
  },
});

runTransportCompliance('TCP with eager dials', {
  setup: async () => {
    const pki = await createTestPki();
    const server = new TcpTlsTransport({ credentials: pki.server });
    const client = new TcpTlsTransport({ credentials: pki.client, dialMode: 'eager' });
    return { server, client, address: await server.listen({ host: '127.0.0.1', port: 0 }) };
  },
  teardown: async ({ server, client }) => {
    await client.close();
    await server.close();
  },
});
