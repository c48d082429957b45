// Issue 13, run by the publish check inside the project that installed @agentlink/transport alone
// from the registry (copied there, so it imports the installed package): a production agent on
// the pristine published @matrixai/quic runs the README example with `retry: false` and
// `dialMode: 'eager'`, and the stream-credit regression passes: listeners granting 1 and 4
// concurrent streams, 16 requests in flight, 200 requests each, none failed, connection open.
import { createCertificateAuthority, issueCertificate, QuicTransport } from '@agentlink/transport';

const REQUESTS = 200;
const IN_FLIGHT = 16;
const ca = await createCertificateAuthority({ commonName: 'tarball fleet CA' });
const creds = async (agentId) => {
  const issued = await issueCertificate(ca, { agentId, usage: 'both' });
  return { certPem: issued.certPem, keyPem: issued.keyPem, caPem: ca.certPem };
};
const [serverCreds, clientCreds] = [await creds('coordinator'), await creds('executor-1')];

// The README example, production mode (no development flag), Retry off, eager dials.
const coordinator = new QuicTransport({ credentials: serverCreds, retry: false });
coordinator.handle('task.result', (body) => {
  const ack = JSON.parse(Buffer.from(body)).status;
  return Buffer.from(JSON.stringify({ ack }));
});
const { port } = await coordinator.listen({ host: '127.0.0.1', port: 0 });
const executor = new QuicTransport({ credentials: clientCreds, dialMode: 'eager' });
const connection = await executor.dial({ host: '127.0.0.1', port });
const reply = await connection.requestJson('task.result', { task: 't-1', status: 'passed' });
if (reply.ack !== 'passed') throw new Error(`bad reply ${JSON.stringify(reply)}`);
console.log(`README example (retry: false, eager): ${connection.peer.agentId} ${JSON.stringify(reply)}`);
await executor.close();
await coordinator.close();

// Stream-credit regression: the listener grants few streams, the dialer keeps 16 in flight.
for (const limit of [1, 4]) {
  const listener = new QuicTransport({ credentials: serverCreds, maxConcurrentStreams: limit, retry: false });
  listener.handle('echo', (body) => body);
  const address = await listener.listen({ host: '127.0.0.1', port: 0 });
  const dialer = new QuicTransport({ credentials: clientCreds, dialMode: 'eager' });
  const c = await dialer.dial({ host: '127.0.0.1', port: address.port });
  const payload = new Uint8Array(4096).fill(7);
  let started = 0;
  let answered = 0;
  const failures = [];
  // A wedged connection (the old stream-id bug) answers nothing more: say so instead of hanging.
  const watchdog = setTimeout(() => {
    console.error(`stream credit, maxConcurrentStreams ${limit}: wedged, ${answered} of ${REQUESTS} answered in 60 s`);
    process.exit(1);
  }, 60_000);
  const worker = async () => {
    while (started < REQUESTS) {
      started += 1;
      try {
        const answer = await c.request('echo', payload);
        answered += 1;
        if (answer.byteLength !== payload.byteLength) failures.push('bad echo');
      } catch (error) {
        failures.push(error.code ?? String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  clearTimeout(watchdog);
  const open = !c.closed;
  console.log(`stream credit, maxConcurrentStreams ${limit}: ${REQUESTS} requests, ` +
    `failures ${JSON.stringify(failures)}, connection open: ${open}`);
  await dialer.close();
  await listener.close();
  if (failures.length > 0 || !open) process.exit(1);
}
