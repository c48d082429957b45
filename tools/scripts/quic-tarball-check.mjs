#!/usr/bin/env node
// Issue 13: a production agent installed from the packed tarballs into an empty project, with no
// patch step, runs the README example with `retry: false` and `dialMode: 'eager'`, and the
// stream-credit regression (listeners with maxConcurrentStreams 1 and 4, 16 requests in flight)
// passes against it. Exits non-zero on any failure.
// Build first: npx nx run-many -t build -p resilience transport
// Run: node tools/scripts/quic-tarball-check.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agentlink-quic-tarball-'));
const tarballs = ['resilience', 'transport'].map((name) => {
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], path.join(root, 'packages', name)));
  return path.join(work, packed.filename);
});
const project = path.join(work, 'consumer');
fs.mkdirSync(project);
fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs], project);
const server = fs.readFileSync(path.join(project, 'node_modules/@matrixai/quic/dist/QUICServer.js'), 'utf8');
if (server.includes('agentlink')) throw new Error('the installed @matrixai/quic carries a patch: this check needs a pristine copy');
fs.writeFileSync(
  path.join(project, 'check.mjs'),
  `import { createCertificateAuthority, issueCertificate, QuicTransport } from '@agentlink/transport';
const ca = await createCertificateAuthority({ commonName: 'tarball fleet CA' });
const creds = async (agentId) => {
  const issued = await issueCertificate(ca, { agentId, usage: 'both' });
  return { certPem: issued.certPem, keyPem: issued.keyPem, caPem: ca.certPem };
};
const [serverCreds, clientCreds] = [await creds('coordinator'), await creds('executor-1')];
// The README example, production mode (no development flag), Retry off, eager dials.
const coordinator = new QuicTransport({ credentials: serverCreds, retry: false });
coordinator.handle('task.result', (body) => Buffer.from(JSON.stringify({ ack: JSON.parse(Buffer.from(body)).status })));
const { port } = await coordinator.listen({ host: '127.0.0.1', port: 0 });
const executor = new QuicTransport({ credentials: clientCreds, dialMode: 'eager' });
const connection = await executor.dial({ host: '127.0.0.1', port });
const reply = await connection.requestJson('task.result', { task: 't-1', status: 'passed' });
if (reply.ack !== 'passed') throw new Error('bad reply ' + JSON.stringify(reply));
console.log('README example (retry: false, eager):', connection.peer.agentId, JSON.stringify(reply));
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
  const failures = [];
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (started < 200) {
      started += 1;
      try {
        const answer = await c.request('echo', payload);
        if (answer.byteLength !== payload.byteLength) failures.push('bad echo');
      } catch (error) {
        failures.push(error.code ?? String(error));
      }
    }
  }));
  const usable = !c.closed;
  console.log('stream credit, maxConcurrentStreams ' + limit + ': 200 requests, failures ' + JSON.stringify(failures) + ', connection open: ' + usable);
  await dialer.close();
  await listener.close();
  if (failures.length > 0 || !usable) process.exit(1);
}
`,
);
console.log(run(process.execPath, ['check.mjs'], project));
fs.rmSync(work, { recursive: true, force: true });
console.log('ok: tarballs installed without a patch step, example and stream-credit check passed');
