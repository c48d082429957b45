// Two agents talking over QUIC with mutual TLS, using development certificates.
// Run from the repo root after building: npx node packages/transport/examples/two-agents.mjs
import { createDevelopmentCredentials, QuicTransport, TcpTlsTransport } from '@agentlink/transport';

const { agents } = await createDevelopmentCredentials({ agentIds: ['coordinator', 'executor-1'] });

const coordinator = new QuicTransport({ credentials: agents['coordinator'], development: true });
coordinator.handle('task.result', (body, { connection }) => {
  const result = JSON.parse(Buffer.from(body).toString('utf8'));
  console.log(`coordinator: ${connection.peer.agentId} says ${result.status}`);
  return Buffer.from(JSON.stringify({ ack: true }));
});
coordinator.on('connectionOpened', (e) => console.log('coordinator: connection from', e.peer, 'over', e.transport));
const { port } = await coordinator.listen({ host: '127.0.0.1', port: 0 });

const executor = new QuicTransport({ credentials: agents['executor-1'], development: true });
executor.on('requestCompleted', (e) =>
  console.log(`executor: ${e.method} ${e.outcome} in ${e.latencyMs.toFixed(1)} ms`),
);
const connection = await executor.dial({ host: '127.0.0.1', port });
console.log('executor: connected to', connection.peer.agentId);
console.log('executor: reply', await connection.requestJson('task.result', { task: 't-1', status: 'passed' }));

await executor.close();
await coordinator.close();

// The same over TLS 1.3 / TCP: only the class changes.
const tcpServer = new TcpTlsTransport({ credentials: agents['coordinator'], development: true });
tcpServer.handle('ping', (body) => body);
const tcp = await tcpServer.listen({ host: '127.0.0.1', port: 0 });
const tcpClient = new TcpTlsTransport({ credentials: agents['executor-1'], development: true });
const tcpConnection = await tcpClient.dial({ host: '127.0.0.1', port: tcp.port });
console.log('tcp ping:', Buffer.from(await tcpConnection.request('ping', Buffer.from('pong'))).toString());
await tcpClient.close();
await tcpServer.close();
