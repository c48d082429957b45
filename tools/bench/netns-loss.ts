/**
 * Kernel packet loss with nftables inside a network namespace: a table whose input chain drops a
 * share of the packets of each named direction (`numgen random mod 1000 < N drop`), with counters
 * of what each direction saw and dropped. The table lives in the namespace and goes with it.
 *
 * Drop on the way in, never on the way out of the sender: a packet dropped in the sender's own
 * output path is reported to it (UDP send() fails with EPERM; TCP keeps the segment and sends it
 * again at once), which is not loss. Dropped on arrival, the sender believes it sent the packet.
 */
import { InvalidOptionsError } from '@agentlink/resilience';
import type { NamespaceNetwork } from '@agentlink/test-harness';

const TABLE = 'alspeed_loss';
const PER = 1000;

export interface DirectionCounters {
  readonly packets: number;
  readonly dropped: number;
}

/** The rule's threshold for a loss rate 0..1, which must be a whole number of per mille. */
function perMille(rate: number): number {
  const n = Math.round(rate * PER);
  if (!(rate > 0 && rate < 1) || Math.abs(n - rate * PER) > 1e-9) {
    throw new InvalidOptionsError(`loss rate must be above 0, below 1 and a whole number of per mille, got ${rate}`);
  }
  return n;
}

/**
 * Replaces the namespace's loss table by one dropping `rate` of the packets of every direction
 * (direction name → nft match of its packets on arrival, e.g. `udp dport 47891`).
 */
export async function applyLoss(
  network: NamespaceNetwork,
  ns: string,
  directions: Readonly<Record<string, string>>,
  rate: number,
): Promise<void> {
  const threshold = perMille(rate);
  await clearLoss(network, ns);
  const rules = Object.entries(directions).flatMap(([name, match]) => [
    `${match} counter comment "${name} seen"`,
    `${match} numgen random mod ${PER} < ${threshold} counter drop comment "${name} dropped"`,
  ]);
  const ruleset = `table inet ${TABLE} {
  chain loss {
    type filter hook input priority -10; policy accept;
    ${rules.join('\n    ')}
  }
}
`;
  await network.exec(ns, 'nft', ['-f', '-'], ruleset);
}

async function hasTable(network: NamespaceNetwork, ns: string): Promise<boolean> {
  return (await network.exec(ns, 'nft', ['list', 'tables'])).includes(`inet ${TABLE}`);
}

/** Removes the namespace's loss table, if any. */
export async function clearLoss(network: NamespaceNetwork, ns: string): Promise<void> {
  if (await hasTable(network, ns)) await network.exec(ns, 'nft', ['delete', 'table', 'inet', TABLE]);
}

/** Packets each direction's rules saw and dropped since applyLoss(); empty when there is no table. */
export async function readLossCounters(
  network: NamespaceNetwork,
  ns: string,
): Promise<Record<string, DirectionCounters>> {
  if (!(await hasTable(network, ns))) return {};
  const listing = JSON.parse(await network.exec(ns, 'nft', ['-j', 'list', 'table', 'inet', TABLE])) as {
    nftables: Array<{ rule?: { comment?: string; expr: Array<{ counter?: { packets: number } }> } }>;
  };
  const counters: Record<string, { packets: number; dropped: number }> = {};
  for (const { rule } of listing.nftables) {
    const [name, what] = (rule?.comment ?? '').split(' ');
    const packets = rule?.expr.find((e) => e.counter !== undefined)?.counter?.packets;
    if (name === undefined || packets === undefined) continue;
    counters[name] ??= { packets: 0, dropped: 0 };
    if (what === 'seen') counters[name].packets = packets;
    if (what === 'dropped') counters[name].dropped = packets;
  }
  return counters;
}
