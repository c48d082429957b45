import { InvalidOptionsError, type AgentlinkError } from '@agentlink/resilience';
import { TransportStateError } from './errors';
import { TransportEventEmitter } from './events';
import { DEFAULT_MAX_FRAME_BYTES } from './frame/frame-codec';
import { assertCredentialsUsable, CertificateExpiryMonitor } from './security/credential-guard';
import { certificateRefusalReason, verifiedPeerIdentity, type CertificateInput } from './security/peer-verification';
import type { CertificateRole } from './security/policy-reasons';
import type { PeerIdentity } from './pki/certificate-inspection';
import type { FrameLink } from './session/frame-link';
import { Session } from './session/session';
import type {
  CloseOptions,
  Connection,
  DialMode,
  Handler,
  TransportEventName,
  TlsCredentials,
  TransportListener,
  TransportOptions,
} from './types';

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly maxFrameBytes: number;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly verifyPeer: boolean;
  /** Development certificates accepted (own and peers'); only with `development: true`. */
  readonly development: boolean;
  readonly dialMode: DialMode;
}

const DIAL_MODES: readonly DialMode[] = ['confirmed', 'eager'];

function positive(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result <= 0) {
    throw new InvalidOptionsError(`${name} must be a positive number of ms/bytes, got ${String(value)}`);
  }
  return result;
}

/** Validates the options shared by both transports and applies defaults. */
export function resolveOptions(options: TransportOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options object is required');
  assertCredentialsUsable(options);
  const maxFrameBytes = positive('maxFrameBytes', options.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES);
  if (maxFrameBytes > 0xffffffff) throw new InvalidOptionsError('maxFrameBytes must fit in 32 bits');
  positive('certificateCheckIntervalMs', options.certificateCheckIntervalMs, 3_600_000);
  return {
    maxFrameBytes,
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 10_000),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, 30_000),
    drainTimeoutMs: positive('drainTimeoutMs', options.drainTimeoutMs, 5_000),
    verifyPeer: options.insecureSkipPeerVerification !== true,
    development: options.development === true,
    dialMode: dialModeOf(options.dialMode),
  };
}

function dialModeOf(value: unknown): DialMode {
  if (value === undefined) return 'confirmed';
  if (!DIAL_MODES.includes(value as DialMode)) {
    throw new InvalidOptionsError(
      `dialMode must be 'confirmed' or 'eager', got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  return value as DialMode;
}

/** Bookkeeping every transport shares: handlers, events, live connections, certificate checks. */
export abstract class TransportBase {
  abstract readonly kind: 'quic' | 'tcp';
  protected readonly events = new TransportEventEmitter();
  protected readonly handlers = new Map<string, Handler>();
  protected readonly sessions = new Set<Session>();
  protected readonly resolved: ResolvedOptions;
  protected readonly expiry: CertificateExpiryMonitor;
  protected state: 'idle' | 'running' | 'closed' = 'idle';
  /** Own certificate, key and trusted CAs for new connections (see updateCredentials). */
  protected credentials: TlsCredentials;
  private readonly connectionListeners = new Set<(connection: Connection) => void>();
  /** Roles our certificate has been used in (listen: server, dial: client); rotations must keep them. */
  private readonly rolesInUse = new Set<CertificateRole>();

  constructor(protected readonly options: TransportOptions) {
    this.resolved = resolveOptions(options);
    this.credentials = options.credentials;
    this.expiry = new CertificateExpiryMonitor(options, this.events, () => this.credentials);
  }

  get connections(): ReadonlySet<Connection> {
    return this.sessions;
  }

  handle(method: string, handler: Handler): void {
    if (typeof handler !== 'function') throw new InvalidOptionsError(`handler for "${method}" must be a function`);
    this.handlers.set(method, handler);
  }

  onConnection(listener: (connection: Connection) => void): void {
    this.connectionListeners.add(listener);
  }

  on<K extends TransportEventName>(event: K, listener: TransportListener<K>): this {
    this.events.on(event, listener);
    return this;
  }

  off<K extends TransportEventName>(event: K, listener: TransportListener<K>): this {
    this.events.off(event, listener);
    return this;
  }

  /** Runs the certificate expiry check now and returns the seconds left per certificate. */
  checkCertificates(): Array<{ subject: string; secondsLeft: number }> {
    return this.expiry.check();
  }

  /**
   * Rotates this transport's own certificate, key and trusted CAs without a restart: new
   * connections (dialled and accepted) use them, open connections keep theirs until they close.
   * Checked like the constructor's (production rules, dates, key matches certificate); on a typed
   * error nothing changes.
   */
  updateCredentials(credentials: TlsCredentials): void {
    if (this.state === 'closed') throw new TransportStateError('transport is closed; create a new one');
    assertCredentialsUsable({ ...this.options, credentials }, [...this.rolesInUse]);
    this.applyCredentials(credentials);
    this.credentials = credentials;
    if (this.state === 'running') this.expiry.check();
  }

  /** Hands new credentials to the TLS machinery; throws (changing nothing) if it refuses them. */
  protected abstract applyCredentials(credentials: TlsCredentials): void;

  /**
   * Before listen() ('server') or dial() ('client'): the transport is open and our certificate
   * carries the extended key usage for that role (checked once per role).
   */
  protected assertUsable(role: CertificateRole): void {
    if (this.state === 'closed') throw new TransportStateError('transport is closed; create a new one');
    if (!this.rolesInUse.has(role)) {
      assertCredentialsUsable({ ...this.options, credentials: this.credentials }, [role]);
      this.rolesInUse.add(role);
    }
    if (this.state === 'idle') {
      this.state = 'running';
      this.expiry.start();
    }
  }

  /**
   * The one place a transport judges a peer, after its TLS library verified the chain: the
   * certificate policy and identity (verifiedPeerIdentity), or an unverified identity when
   * verification is off (development only).
   */
  protected identifyPeer(
    chain: readonly CertificateInput[],
    role: CertificateRole,
    address: string,
    expectedHost?: string,
  ): PeerIdentity {
    if (!this.resolved.verifyPeer) {
      return { agentId: `unverified@${address}`, subject: '', fingerprint256: '', validTo: new Date(0) };
    }
    return verifiedPeerIdentity(chain, role, expectedHost, { development: this.resolved.development });
  }

  /** Emits `transportError` for a typed error; a refused peer certificate carries its reason. */
  protected reportError(error: AgentlinkError, peer?: string): void {
    const reason = certificateRefusalReason(error);
    this.events.emit('transportError', {
      transport: this.kind,
      ...(peer === undefined ? {} : { peer }),
      code: error.code,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  protected adopt(session: Session, handshakeMs: number): void {
    this.sessions.add(session);
    this.events.emit('connectionOpened', {
      transport: session.transport,
      peer: session.peer.agentId,
      direction: session.direction,
      handshakeMs,
    });
    if (session.direction === 'inbound') {
      for (const listener of this.connectionListeners) listener(session);
    }
  }

  /** A session over `link` with this transport's limits, events and shared handlers. */
  protected openSession(
    link: FrameLink,
    direction: 'inbound' | 'outbound',
    peer: PeerIdentity,
    address: string,
  ): Session {
    return new Session(link, {
      transport: this.kind,
      direction,
      peer,
      remoteAddress: address,
      maxFrameBytes: this.resolved.maxFrameBytes,
      requestTimeoutMs: this.resolved.requestTimeoutMs,
      drainTimeoutMs: this.resolved.drainTimeoutMs,
      events: this.events,
      sharedHandlers: this.handlers,
      onClosed: (closed) => this.forget(closed),
      mapRefusal: (error) => this.refusalError(error),
    });
  }

  /** The typed error for a dialled link that closed before the listener's hello. */
  protected abstract refusalError(error: Error): AgentlinkError;

  protected forget(session: Session): void {
    this.sessions.delete(session);
  }

  /** Drains and closes every connection, then the listener; releases all timers. */
  protected async closeSessions(options: CloseOptions): Promise<void> {
    this.state = 'closed';
    this.expiry.stop();
    await Promise.all([...this.sessions].map((session) => session.close(options)));
    this.sessions.clear();
    this.connectionListeners.clear();
    this.handlers.clear();
  }
}
