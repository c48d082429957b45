import type { PeerIdentity } from '../pki/certificate-inspection';

/** A TLS session ticket for one peer and the identity verified on the connection that got it. */
export interface StoredTicket {
  readonly ticket: Uint8Array;
  readonly peer: PeerIdentity;
}

/**
 * A dialer's session tickets (quiche's serialized sessions), one per peer address, in memory
 * only, the oldest dropped beyond `max`. A ticket is dropped once the certificate it was issued
 * with has expired; the transport clears them all when it closes or its credentials change.
 */
export class SessionTickets {
  private readonly byPeer = new Map<string, StoredTicket>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.byPeer.size;
  }

  get(peerKey: string): StoredTicket | undefined {
    const stored = this.byPeer.get(peerKey);
    if (stored !== undefined && stored.peer.validTo.getTime() <= Date.now()) {
      this.byPeer.delete(peerKey);
      return undefined;
    }
    return stored;
  }

  set(peerKey: string, ticket: Uint8Array, peer: PeerIdentity): void {
    this.byPeer.delete(peerKey);
    if (this.byPeer.size >= this.max) this.byPeer.delete(this.byPeer.keys().next().value as string);
    this.byPeer.set(peerKey, { ticket, peer });
  }

  delete(peerKey: string): void {
    this.byPeer.delete(peerKey);
  }

  clear(): void {
    this.byPeer.clear();
  }
}
