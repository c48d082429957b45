import { PeerIdentityError } from '../errors';
import type { PeerIdentity } from '../pki/certificate-inspection';
import type { Session } from '../session/session';
import type { QuicConnection } from './endpoint/quic-connection';
import type { PeerIdentities } from './peer-identities';
import { SessionTickets, type StoredTicket } from './session-tickets';

/**
 * The dialer side of 0-RTT: tickets per peer address, kept when a session ends, and the check
 * that runs when a resumed handshake completes (README "0-RTT and replay").
 */
export class ZeroRttDialer {
  private readonly tickets: SessionTickets;

  constructor(
    maxTickets: number,
    private readonly identities: PeerIdentities,
    private readonly isClosed: () => boolean,
  ) {
    this.tickets = new SessionTickets(maxTickets);
  }

  ticketFor(peerKey: string): StoredTicket | undefined {
    return this.tickets.get(peerKey);
  }

  /** When the session ends, the newest ticket the server gave is kept for the next dial. */
  keep(session: Session, connection: QuicConnection, peerKey: string): void {
    void session.closedPromise.then(() => {
      const ticket = this.isClosed() ? null : connection.native.session();
      if (ticket !== null) this.tickets.set(peerKey, ticket, session.peer);
    });
  }

  /**
   * The identity of a server we send early data to (the ticket's chain, dates checked again), and
   * the check once the handshake completes: a full handshake (early data refused) must show the same agent.
   */
  resumedServer(connection: QuicConnection, target: string, serverName: string): [PeerIdentity, () => void] {
    const chainNow = (): Uint8Array[] => connection.native.peerCertChain() ?? [];
    const peer = this.identities.identify(chainNow(), 'server', target, serverName, true);
    const verify = (): void => {
      const resumed = connection.native.isResumed();
      const now = this.identities.identify(chainNow(), 'server', target, serverName, resumed);
      if (now.agentId !== peer.agentId) {
        throw new PeerIdentityError(`resumed server is ${now.agentId}, not ${peer.agentId}`);
      }
    };
    return [peer, verify];
  }

  clear(): void {
    this.tickets.clear();
  }
}
