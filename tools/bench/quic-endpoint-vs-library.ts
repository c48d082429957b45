/**
 * Issue 13: QUIC 64 B request p50, our endpoint (this build) vs the library-era QuicTransport
 * (@matrixai/quic's JavaScript classes with the repository's former patches), in one run.
 * Rounds alternate between the two so background load hits both alike; each round gets a fresh
 * connection pair, a warm-up and `--requests` sequential (and 16-stream) calls.
 *
 * The baseline is the transport of commit 1238f2e built against a patched copy of the library:
 *   sh tools/bench/quic-library-baseline.sh        # builds /tmp/agentlink-quic-library/...
 * Build first: npx nx run-many -t build -p resilience transport test-harness
 * Run: npx tsx tools/bench/quic-endpoint-vs-library.ts [--baseline <dist/index.js>] [--rounds 5]
 *      [--requests 2000]
 * Writes tools/bench/results/quic-endpoint-vs-library.json.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { QuicTransport, type Transport, type TransportOptions } from '@agentlink/transport';
import { renderMarkdownTable } from '@agentlink/test-harness';
import { writeResult } from './bench-output';
import { pairCredentials, echo } from './connection-pair';
import { percentile } from './dial-sample';
import { measureEchoLoad, type EchoLoadRow } from './echo-load';
import { describeMachine, machineInfo } from './machine-info';

const { values } = parseArgs({
  options: {
    baseline: { type: 'string', default: '/tmp/agentlink-quic-library/packages/transport/dist/index.js' },
    rounds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '2000' },
  },
});
type Make = (options: TransportOptions) => Transport;
const library = (await import(pathToFileURL(values.baseline).href)) as {
  QuicTransport: new (o: TransportOptions) => Transport;
};
const impls: Record<'endpoint' | 'library', Make> = {
  endpoint: (options) => new QuicTransport(options),
  library: (options) => new library.QuicTransport(options),
};
const machine = machineInfo();
console.log(describeMachine(machine));
const credentials = await pairCredentials();
const rows: Array<{ impl: string; round: number; streams: number; row: EchoLoadRow }> = [];
for (let round = 1; round <= Number(values.rounds); round += 1) {
  for (const [impl, make] of Object.entries(impls)) {
    for (const streams of [1, 16]) {
      const server = make({ credentials: credentials.server });
      server.handle('echo', echo);
      const client = make({ credentials: credentials.client });
      try {
        const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
        const connection = await client.dial({ host: '127.0.0.1', port });
        const row = await measureEchoLoad(connection, {
          payloadBytes: 64,
          streams,
          requests: Number(values.requests),
          durationMs: 30_000,
          warmup: { requests: 300 },
        });
        rows.push({ impl, round, streams, row });
        console.log(
          `round ${round} ${impl} ${streams} stream(s): p50 ${row.p50Ms} ms, ` +
            `${row.requestsPerSec} req/s, ${row.errors} errors`,
        );
      } finally {
        await client.close();
        await server.close();
      }
    }
  }
}
const summary = (['endpoint', 'library'] as const).flatMap((impl) =>
  [1, 16].map((streams) => {
    const mine = rows.filter((r) => r.impl === impl && r.streams === streams);
    return {
      impl,
      streams,
      'p50 median of rounds (ms)': percentile(mine.map((r) => r.row.p50Ms), 50),
      'p50 per round (ms)': mine.map((r) => r.row.p50Ms).join(' / '),
      'req/s median': percentile(mine.map((r) => r.row.requestsPerSec), 50),
      errors: mine.reduce((sum, r) => sum + r.row.errors, 0),
    };
  }),
);
console.log(renderMarkdownTable(summary));
console.log(`wrote ${writeResult('quic-endpoint-vs-library', { machine, settings: values, rows, summary })}`);
