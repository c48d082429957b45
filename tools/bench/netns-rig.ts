/**
 * A real network path with kernel packet loss and a one-way delay, for benchmarks that must see
 * real TCP (issue 14 item 3). Client and server run as separate Node processes (`ip netns exec`)
 * in their own network namespaces and talk over a VXLAN overlay whose UDP underlay runs through a
 * third namespace, the wire:
 *
 *   client ns  10.214.0.1 ──vxlan──▶ wire ns: UDP fault proxy, +delay ──▶ server ns 10.214.0.2
 *              ◀────────── wire ns: UDP fault proxy, +delay ◀──vxlan──
 *
 * The delay is the test-harness UDP fault proxy's (the kernel here has no netem, fq or etf). It
 * carries the encapsulated packets of both transports, ACKs included, so TCP's RTT estimate,
 * retransmission timers and congestion control see the full delay end to end; a userspace TCP
 * relay would split the connection and hide TCP's loss recovery behind a near-zero RTT. The loss
 * is the kernel's: nftables in the wire namespace drops that share of the encapsulated packets
 * (every TCP segment, ACK and QUIC datagram of the overlay, one packet each) of both directions
 * as they arrive (`numgen random mod 1000 < N drop`; netns-loss.ts says why not at the sender).
 * The overlay sends one packet per skb (gso_max_segs 1), so a drop is one packet, never a TSO
 * burst, and uses VXLAN remote checksum offload, so the inner checksums survive the userspace hop.
 * Namespaces are named `<prefix>-<random>-*`; they, and the nftables tables in them, are deleted
 * on close(), at exit and on SIGINT/SIGTERM (NamespaceNetwork).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildAgent, NamespaceNetwork } from '@agentlink/test-harness';
import { pairCredentials } from './connection-pair';
import { CREDENTIALS_ENV } from './netns-child';
import { applyLoss, clearLoss, readLossCounters, type DirectionCounters } from './netns-loss';

export interface LossCounters {
  /** Client → server. */
  readonly upstream: DirectionCounters;
  /** Server → client. */
  readonly downstream: DirectionCounters;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const OVERLAY = { client: '10.214.0.1', server: '10.214.0.2' };
const MAC = { client: '02:00:0a:d6:00:01', server: '02:00:0a:d6:00:02' };
const VXLAN_DEVICE = 'alvx0';
const VXLAN_PORT = { client: 47891, server: 47892 };
/** The wire receives client → server packets on the client's VXLAN port, and the reverse on the server's. */
const DIRECTIONS = { upstream: `udp dport ${VXLAN_PORT.client}`, downstream: `udp dport ${VXLAN_PORT.server}` };

export type Side = 'client' | 'server';

export interface NetnsRigOptions {
  /** Delay added each way, in ms. */
  readonly delayMs: number;
  /** Namespace name prefix (unique to the worktree). Default: $BENCH_NETNS_PREFIX, else 'alspeed'. */
  readonly prefix?: string;
}

export interface NetnsRig {
  /** The server's address on the overlay (what clients dial). */
  readonly serverHost: string;
  readonly namespaces: Readonly<Record<Side | 'wire', string>>;
  /** Sets the kernel drop rate of both directions (0 removes the rules). */
  setLoss(rate: number): Promise<void>;
  /** Packets seen and dropped by the loss rules since setLoss(), per direction. */
  lossCounters(): Promise<LossCounters>;
  /** Starts `netns-peer.ts args` in the side's namespace; resolves once it printed its ready line. */
  startPeer(side: Side, id: string, args: readonly string[], readyTimeoutMs?: number): Promise<ChildAgent>;
  /** The wire's counters (forwarded and queue-dropped datagrams per link). */
  wireStats(): Promise<unknown>;
  close(): Promise<void>;
}

/** Node and its loader flags (tsx), so children run TypeScript entries like this process does. */
function nodeCommand(namespace: string, entry: string, args: readonly string[]): string[] {
  return ['netns', 'exec', namespace, process.execPath, ...process.execArgv, path.join(here, entry), ...args];
}

async function addVxlan(
  network: NamespaceNetwork,
  ns: string,
  side: Side,
  local: string,
  wire: string,
): Promise<void> {
  const other: Side = side === 'client' ? 'server' : 'client';
  const port = VXLAN_PORT[side];
  const run = (args: string[]): Promise<string> => network.exec(ns, 'ip', args);
  // One UDP source port (the proxy sees one flow), no FDB learning (the remote is fixed), remote
  // checksum offload (inner checksums left to the NIC would arrive unfinished after the proxy).
  const vxlan = `link add ${VXLAN_DEVICE} type vxlan id 14 local ${local} remote ${wire} dstport ${port}
    srcport ${port} ${port + 1} dev eth0 nolearning remcsumtx remcsumrx`;
  await run(vxlan.split(/\s+/));
  // One packet per skb, so a drop in the wire is one packet, never a TSO burst.
  await run(['link', 'set', VXLAN_DEVICE, 'address', MAC[side], 'gso_max_segs', '1']);
  // IPv4 only: no neighbour discovery or router solicitations crossing the measured path.
  await network.exec(ns, 'sysctl', ['-qw', `net.ipv6.conf.${VXLAN_DEVICE}.disable_ipv6=1`]);
  await run(['addr', 'add', `${OVERLAY[side]}/24`, 'dev', VXLAN_DEVICE]);
  await run(['link', 'set', VXLAN_DEVICE, 'up']);
  // No ARP across the delayed path: a resolution in the middle of a measurement would stall it.
  await run(['neigh', 'add', OVERLAY[other], 'lladdr', MAC[other], 'dev', VXLAN_DEVICE, 'nud', 'permanent']);
}

/** Builds the namespaces, the overlay and the wire; close() removes everything. */
export async function startNetnsRig(options: NetnsRigOptions): Promise<NetnsRig> {
  const prefix = options.prefix ?? process.env.BENCH_NETNS_PREFIX ?? 'alspeed';
  const network = await NamespaceNetwork.create(3, '10.213.0', prefix);
  const [clientNs, serverNs, wireNs] = network.namespaces as [string, string, string];
  const [clientIp, serverIp, wireIp] = network.addresses as [string, string, string];
  const children = new Set<ChildAgent>();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'alspeed-rig-'));
  const close = async (): Promise<void> => {
    await Promise.allSettled([...children].map((c) => c.stop(2_000)));
    rmSync(tmp, { recursive: true, force: true });
    await network.destroy();
  };
  try {
    const credentialsFile = path.join(tmp, 'credentials.json');
    writeFileSync(credentialsFile, JSON.stringify(await pairCredentials()));
    chmodSync(credentialsFile, 0o600);
    await addVxlan(network, clientNs, 'client', clientIp, wireIp);
    await addVxlan(network, serverNs, 'server', serverIp, wireIp);
    const start = async (
      ns: string,
      id: string,
      entry: string,
      args: readonly string[],
      readyTimeoutMs = 20_000,
    ): Promise<ChildAgent> => {
      const child = await ChildAgent.start({
        id,
        command: 'ip',
        argv: nodeCommand(ns, entry, args),
        env: { ...process.env, [CREDENTIALS_ENV]: credentialsFile },
        host: ns === serverNs ? OVERLAY.server : OVERLAY.client,
        namespace: ns,
        readyTimeoutMs,
        onLine: (agentId, stream, line) => {
          if (stream === 'stderr') console.error(`[${agentId}] ${line}`);
        },
      });
      children.add(child);
      void child.waitForExit().then(() => children.delete(child));
      return child;
    };
    const links = [
      { listen: { host: wireIp, port: VXLAN_PORT.client }, target: { host: serverIp, port: VXLAN_PORT.server } },
      { listen: { host: wireIp, port: VXLAN_PORT.server }, target: { host: clientIp, port: VXLAN_PORT.client } },
    ];
    const wire = await start(wireNs, 'wire', 'netns-wire.ts', [
      '--delay',
      String(options.delayMs),
      '--links',
      JSON.stringify(links),
    ]);
    let statsRequest = 0;
    return {
      serverHost: OVERLAY.server,
      namespaces: { client: clientNs, server: serverNs, wire: wireNs },
      setLoss: (rate) => (rate > 0 ? applyLoss(network, wireNs, DIRECTIONS, rate) : clearLoss(network, wireNs)),
      lossCounters: async () => {
        const counters = await readLossCounters(network, wireNs);
        const none = { packets: 0, dropped: 0 };
        return { upstream: counters['upstream'] ?? none, downstream: counters['downstream'] ?? none };
      },
      startPeer: (side, id, args, readyTimeoutMs) =>
        start(side === 'client' ? clientNs : serverNs, id, 'netns-peer.ts', args, readyTimeoutMs),
      wireStats: async () => {
        statsRequest += 1;
        const marker = `"stats":${statsRequest}`;
        process.kill(wire.pid!, 'SIGUSR2');
        const line = await wire.waitForLine((l) => l.includes(marker), 5_000);
        return (JSON.parse(line) as { links: unknown }).links;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
