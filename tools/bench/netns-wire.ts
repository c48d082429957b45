/**
 * The wire of the namespace rig (netns-rig.ts): one test-harness UDP fault proxy per direction of
 * the VXLAN underlay, each adding --delay ms. Prints `{"event":"ready"}` once both listen, and a
 * `{"event":"stats",...}` line with the proxies' counters on SIGUSR2. Exits on SIGTERM, or when
 * the process that started it is gone.
 *
 * Started by netns-rig.ts: node netns-wire.ts --delay 25 --links '[{"listen":{...},"target":{...}}]'
 */
import { parseArgs } from 'node:util';
import { createUdpFaultProxy, type FaultProxy, type HostPort } from '@agentlink/test-harness';
import { exitWithParent } from './netns-child';

const { values } = parseArgs({ options: { delay: { type: 'string' }, links: { type: 'string' } } });
const delayMs = Number(values.delay);
const links = JSON.parse(values.links ?? '[]') as Array<{ listen: HostPort; target: HostPort }>;

// The queue of a direction holds one bandwidth-delay product of a fast loopback path and more.
const proxies: FaultProxy[] = await Promise.all(
  links.map((link) =>
    createUdpFaultProxy({
      listen: link.listen,
      target: link.target,
      faults: { latencyMs: delayMs },
      queueLimitBytes: 64 * 2 ** 20,
    }),
  ),
);
let statsPrinted = 0;
process.on('SIGUSR2', () => {
  statsPrinted += 1;
  const stats = proxies.map((p, i) => ({
    listen: links[i]!.listen,
    forwarded: p.stats.upstream.forwardedPackets,
    queueDropped: p.stats.upstream.droppedPackets,
  }));
  console.log(JSON.stringify({ event: 'stats', stats: statsPrinted, links: stats }));
});
const stop = async (): Promise<void> => {
  await Promise.all(proxies.map((p) => p.close()));
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
exitWithParent(() => void stop());
console.log(JSON.stringify({ event: 'ready', delayMs, links: links.length }));
