import { AgentlinkError } from '@agentlink/resilience';
import { ConnectionClosedError, PeerUnavailableError } from '../errors';
import type { SessionOptions } from './session-options';

/**
 * Dialer side: whether the listener accepted this agent (its hello) or turned it away first.
 * A refusal is remembered so that every later call fails with the same typed error.
 */
export class ListenerAcceptance {
  /** Resolves on the listener's hello; at once on the listener side. */
  readonly accepted: Promise<void>;
  /** Set when the listener turned us away: every later call fails with it. */
  refusal: AgentlinkError | undefined;
  /** A confirmed dial() waits for the hello and reports a refusal itself. */
  dialWaiting = false;
  private helloReceived = false;
  private settle: { resolve: () => void; reject: (error: Error) => void } | undefined;

  /** Reads `options` when a refusal happens, not before (mapRefusal may be set late). */
  constructor(private readonly options: Pick<SessionOptions, 'direction' | 'remoteAddress' | 'mapRefusal'>) {
    this.accepted =
      options.direction === 'inbound'
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            this.settle = { resolve, reject };
          });
    // Nobody has to await it: a refusal also fails the calls, so it must not be "unhandled".
    this.accepted.catch(() => undefined);
  }

  /** True on a dialer until the hello: a closing link then is the listener's verdict. */
  get awaitingHello(): boolean {
    return this.options.direction === 'outbound' && !this.helloReceived;
  }

  helloArrived(): void {
    this.helloReceived = true;
    this.settle?.resolve();
    this.settle = undefined;
  }

  goAwayArrived(): void {
    if (this.helloReceived || this.settle === undefined) return;
    // Turned away before being accepted: the listener is shutting down (retryable).
    this.refusal = new PeerUnavailableError(this.options.remoteAddress);
    this.settle.reject(this.refusal);
    this.settle = undefined;
  }

  /** The link closed before the hello: records and returns the typed refusal. */
  refuse(reason: string, error: Error | undefined, peerGoingAway: boolean): AgentlinkError {
    this.refusal = peerGoingAway ? new PeerUnavailableError(this.options.remoteAddress) : this.mapped(reason, error);
    return this.refusal;
  }

  /** The session closed: a hello can no longer come. */
  fail(error: Error): void {
    this.settle?.reject(error);
    this.settle = undefined;
  }

  private mapped(reason: string, error: Error | undefined): AgentlinkError {
    const cause = error ?? new ConnectionClosedError(`${reason} before the listener accepted this agent`);
    const mapped = this.options.mapRefusal?.(cause);
    if (mapped !== undefined) return mapped;
    return cause instanceof AgentlinkError ? cause : new ConnectionClosedError(reason);
  }
}
