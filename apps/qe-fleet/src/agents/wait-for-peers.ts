import { sleep } from '@agentlink/resilience';
import type { FleetLink } from '../messaging/fleet-link';
import { METHODS } from '../messaging/protocol';

/**
 * Pings peers until each answers or the deadline passes; resolves with those that answered.
 * Agents of a configured fleet start in any order (the analyser trains first), so the
 * coordinator waits for its peers before dispatching.
 */
export async function waitForPeers(link: FleetLink, peers: readonly string[], deadlineMs: number, signal?: AbortSignal): Promise<string[]> {
  const answered = new Set<string>();
  const until = performance.now() + deadlineMs;
  while (answered.size < peers.length && performance.now() < until && signal?.aborted !== true) {
    await Promise.all(
      peers
        .filter((peer) => !answered.has(peer))
        .map((peer) =>
          link.request(peer, METHODS.ping, {}, { timeoutMs: 1_000, signal }).then(
            () => answered.add(peer),
            () => undefined,
          ),
        ),
    );
    if (answered.size < peers.length) await sleep(250, signal).catch(() => undefined);
  }
  return peers.filter((peer) => answered.has(peer));
}
