import type { AgentlinkError } from '@agentlink/resilience';
import type { TransportEventEmitter } from '../events';
import type { PeerIdentity } from '../pki/certificate-inspection';
import type { Direction, Handler, TransportKind } from '../types';
import type { Session } from './session';

/** What a transport tells each Session it creates. */
export interface SessionOptions {
  readonly transport: TransportKind;
  readonly direction: Direction;
  readonly peer: PeerIdentity;
  readonly remoteAddress: string;
  readonly maxFrameBytes: number;
  readonly requestTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly events: TransportEventEmitter;
  /** Handlers registered on the transport; the connection's own handlers take precedence. */
  readonly sharedHandlers: ReadonlyMap<string, Handler>;
  /** Called once after the session closed, so the transport can forget it. */
  readonly onClosed: (session: Session) => void;
  /**
   * Dialer side: the typed error for a link that closed before the listener's hello, i.e. the
   * listener's verdict on our certificate (default: the link's own error).
   */
  readonly mapRefusal?: (error: Error) => AgentlinkError;
}
