// Runnable example: UDP echo round trips through the fault proxy, without and with 10 ms added
// each way, measured by the load generator and printed as a Markdown table.
// Run: npm run build && npx node examples/udp-echo-through-proxy.mjs
import dgram from 'node:dgram';
import { once } from 'node:events';
import { createUdpFaultProxy, renderMarkdownTable, runLoad } from '@agentlink/test-harness';

const echo = dgram.createSocket('udp4');
echo.on('message', (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
echo.bind(0, '127.0.0.1');
await once(echo, 'listening');

const proxy = await createUdpFaultProxy({ target: { host: '127.0.0.1', port: echo.address().port }, seed: 1 });
const client = dgram.createSocket('udp4');
client.bind(0, '127.0.0.1');
await once(client, 'listening');
const pending = new Map();
client.on('message', (msg) => pending.get(msg.readUInt32BE(0))?.());

/** One request: a datagram carrying its number, answered by the echo. */
const call = (i) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => (pending.delete(i), reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }))),
      2_000,
    );
    pending.set(i, () => (clearTimeout(timer), pending.delete(i), resolve()));
    const datagram = Buffer.alloc(64);
    datagram.writeUInt32BE(i, 0);
    client.send(datagram, proxy.address.port, proxy.address.host);
  });

const rows = [];
for (const latencyMs of [0, 10]) {
  proxy.setFaults({ latencyMs });
  const r = await runLoad({ concurrency: 4, requests: 400, call });
  rows.push({
    'added each way (ms)': latencyMs,
    requests: r.count,
    errors: r.errors,
    'p50 (ms)': r.latency.p50,
    'p99 (ms)': r.latency.p99,
    'req/s': r.throughputPerSec,
  });
}
console.log(renderMarkdownTable(rows));
// 10 ms added each way: every round trip takes at least 20 ms.
if (!(rows[1]['p50 (ms)'] >= 20)) throw new Error(`p50 with 10 ms each way is ${rows[1]['p50 (ms)']} ms`);
client.close();
echo.close();
await proxy.close();
