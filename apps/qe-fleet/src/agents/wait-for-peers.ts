import { sleep } from '@agentlink/resilience';
import type { FleetLink } from '../messaging/fleet-link';
import { METHODS } from '../messaging/protocol';
import { refusalOf } from './peer-refusals';

export interface WaitForPeersOptions {
  readonly signal?: AbortSignal;
  /**
   * Peers already known down (their breaker is open from an earlier round): pinged once, but
   * not waited for; the coordinator's heartbeat brings them back when they answer.
   */
  readonly knownDown?: (peer: string) => boolean;
  /** Called for a peer whose handshake was refused (its certificate): it is not waited for either. */
  readonly onRefused?: (peer: string, error: unknown) => void;
}

/**
 * Pings peers until each answers, is refused at the TLS layer, is known down, or the deadline
 * passes; resolves with those that answered. Agents of a configured fleet start in any order
 * (the analyser trains first), so the coordinator waits for its peers before dispatching.
 */
export async function waitForPeers(
  link: FleetLink,
  peers: readonly string[],
  deadlineMs: number,
  options: WaitForPeersOptions = {},
): Promise<string[]> {
  const { signal } = options;
  const answered = new Set<string>();
  const settled = new Set<string>();
  const until = performance.now() + deadlineMs;
  const waiting = (): string[] => peers.filter((p) => !answered.has(p) && !settled.has(p));
  for (
    let first = true;
    waiting().length > 0 && performance.now() < until && signal?.aborted !== true;
    first = false
  ) {
    const round = first ? [...peers] : waiting();
    if (first) for (const peer of peers) if (options.knownDown?.(peer) === true) settled.add(peer);
    await Promise.all(
      round.map((peer) =>
        link.request(peer, METHODS.ping, {}, { timeoutMs: 1_000, signal }).then(
          () => answered.add(peer),
          (error: unknown) => {
            if (refusalOf(error) === undefined) return;
            settled.add(peer);
            options.onRefused?.(peer, error);
          },
        ),
      ),
    );
    if (waiting().length > 0) await sleep(250, signal).catch(() => undefined);
  }
  return peers.filter((peer) => answered.has(peer));
}
