/**
 * What a worker-thread packet loop would add per frame (issue 14 item 1): a 64 B frame handed to
 * a worker thread and back with postMessage, sequentially, with the wall time per round trip and
 * the CPU of both threads. Compare with the CPU the endpoint work costs per request
 * (quic-transport-profile.ts, --cpu-prof): a worker saves the main thread that work and costs it
 * one crossing per frame in each direction on each side.
 *
 *   npx tsx tools/bench/worker-handoff.ts [--round-trips 20000]
 *
 * Writes tools/bench/results/worker-handoff.json.
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { ms, writeResult } from './bench-output';
import { describeMachine, machineInfo } from './machine-info';

const { values } = parseArgs({ options: { 'round-trips': { type: 'string', default: '20000' } } });
const roundTrips = Number(values['round-trips']);
const machine = machineInfo();
console.log(describeMachine(machine));

const worker = new Worker(
  `const { parentPort } = require('node:worker_threads');
   parentPort.on('message', (frame) => parentPort.postMessage(frame));`,
  { eval: true },
);
const frame = { type: 2, id: 1, payload: new Uint8Array(64).fill(1) };
let answered: () => void = () => undefined;
worker.on('message', () => answered());
const roundTrip = (): Promise<void> =>
  new Promise((resolve) => {
    answered = resolve;
    worker.postMessage(frame);
  });

for (let i = 0; i < 2000; i += 1) await roundTrip(); // warm-up
const latencies: number[] = [];
const cpuBefore = process.cpuUsage();
const started = performance.now();
for (let i = 0; i < roundTrips; i += 1) {
  const t = performance.now();
  await roundTrip();
  latencies.push(performance.now() - t);
}
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
await worker.terminate();
latencies.sort((a, b) => a - b);
const result = {
  machine,
  roundTrips,
  p50Ms: ms(latencies[Math.floor(latencies.length / 2)] ?? NaN),
  p99Ms: ms(latencies[Math.floor(latencies.length * 0.99)] ?? NaN),
  roundTripsPerSec: Math.round((roundTrips / wallMs) * 1000),
  /** Both threads: process.cpuUsage() counts every thread of the process. */
  cpuUsPerRoundTrip: Math.round(((cpu.user + cpu.system) / roundTrips) * 10) / 10,
};
console.log(
  `64 B frame to a worker and back: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
    `${result.roundTripsPerSec} round trips/s, ${result.cpuUsPerRoundTrip} µs CPU per round trip (both threads)`,
);
console.log(`wrote ${writeResult('worker-handoff', result)}`);
