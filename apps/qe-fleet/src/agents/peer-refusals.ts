/** A peer refused at the TLS layer (its certificate, or ours at its end), not lost on the network. */
export interface PeerRefusal {
  readonly peer: string;
  /** The typed error's code, e.g. ERR_CERT_VERIFICATION or ERR_PEER_CERT_POLICY. */
  readonly code: string;
  /** The rule or verification failure, e.g. 'ca-certificate' or 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'. */
  readonly reason: string;
  /** Calls to the peer that failed so. */
  readonly failures: number;
}

// The transport's typed errors for a refused handshake; each carries a `reason`.
const REFUSAL_CODES = new Set([
  'ERR_CERT_VERIFICATION',
  'ERR_PEER_CERT_POLICY',
  'ERR_PEER_IDENTITY',
  'ERR_TLS_HANDSHAKE',
]);

/** The code and reason when `error` is a refused handshake, else undefined. */
export function refusalOf(error: unknown): { code: string; reason: string } | undefined {
  const e = error as { code?: unknown; reason?: unknown } | null;
  if (e === null || typeof e !== 'object' || typeof e.code !== 'string' || !REFUSAL_CODES.has(e.code)) {
    return undefined;
  }
  return { code: e.code, reason: typeof e.reason === 'string' ? e.reason : 'unknown' };
}

/** The refused peers of a run, with the last reason each was refused for. */
export class PeerRefusals {
  readonly #byPeer = new Map<string, PeerRefusal>();

  /** Records `error` if it is a refusal; returns it when this peer (or its reason) is new, for the log. */
  note(peer: string, error: unknown): PeerRefusal | undefined {
    const refusal = refusalOf(error);
    if (refusal === undefined) return undefined;
    const known = this.#byPeer.get(peer);
    const next = { peer, ...refusal, failures: (known?.failures ?? 0) + 1 };
    this.#byPeer.set(peer, next);
    return known === undefined || known.reason !== refusal.reason ? next : undefined;
  }

  list(): PeerRefusal[] {
    return [...this.#byPeer.values()].sort((a, b) => a.peer.localeCompare(b.peer));
  }
}

/** The log line of a refused peer. */
export function refusalLine(r: PeerRefusal): string {
  return `peer ${r.peer} refused at the TLS layer: ${r.code} (${r.reason}); its breaker opens and no task goes to it`;
}
