/**
 * napi calls into quiche per 64 B sequential request on one QUIC connection (client and server in
 * this process, both counted), by method, with the time spent in each. The counts are exact and do
 * not move with machine load; the times include this wrapper's own cost (~0.1 µs per call).
 *
 *   npx nx run transport:build && npx tsx tools/bench/quic-napi-calls.ts [--requests 20000]
 */
import { parseArgs } from 'node:util';
import { quiche } from '@matrixai/quic/native/index.js';
import { openConnectionPair } from './connection-pair';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' } } });
const requests = Number(values.requests);

interface Tally {
  calls: number;
  ms: number;
}
const tallies = new Map<string, Tally>();
let counting = false;

// Every method of quiche's Connection class, wrapped: calls that return null (Done, no error) are tallied apart.
const prototype = (quiche.Connection as unknown as { prototype: Record<string, unknown> }).prototype;
for (const name of Object.getOwnPropertyNames(prototype)) {
  const method = prototype[name];
  if (typeof method !== 'function' || name === 'constructor') continue;
  prototype[name] = function (this: unknown, ...args: unknown[]): unknown {
    if (!counting) return method.apply(this, args);
    const started = performance.now();
    let result: unknown;
    try {
      result = method.apply(this, args);
      return result;
    } finally {
      const key = result === null ? `${name} → null` : name;
      const tally = tallies.get(key) ?? { calls: 0, ms: 0 };
      tally.calls += 1;
      tally.ms += performance.now() - started;
      tallies.set(key, tally);
    }
  };
}

const payload = new Uint8Array(64).fill(5);
const pair = await openConnectionPair('quic');
for (let i = 0; i < 2000; i++) await pair.connection.request('echo', payload);
counting = true;
for (let i = 0; i < requests; i++) await pair.connection.request('echo', payload);
counting = false;
await pair.close();

let calls = 0;
let micros = 0;
console.log(`napi calls per 64 B request (${requests} sequential requests, both ends):`);
for (const [name, t] of [...tallies].sort((a, b) => b[1].ms - a[1].ms)) {
  calls += t.calls;
  micros += (t.ms * 1000) / requests;
  const perRequest = (t.calls / requests).toFixed(2);
  const each = ((t.ms * 1000) / t.calls).toFixed(2);
  console.log(`  ${name.padEnd(22)} ${perRequest.padStart(6)} per request  ${each} µs each`);
}
console.log(`total: ${(calls / requests).toFixed(1)} calls, ${micros.toFixed(1)} µs per request`);
