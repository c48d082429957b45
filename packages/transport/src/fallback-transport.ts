import { InvalidOptionsError } from '@agentlink/resilience';
import { ConnectTimeoutError } from './errors';
import { TransportEventEmitter } from './events';
import type { QuicTransport } from './quic/quic-transport';
import type { TcpTlsTransport } from './tcp/tcp-tls-transport';
import type {
  CloseOptions,
  Connection,
  Handler,
  ListenAddress,
  PeerAddress,
  TlsCredentials,
  Transport,
  TransportEventName,
  TransportEvents,
  TransportListener,
} from './types';

export interface FallbackTransportOptions {
  readonly quic: QuicTransport;
  readonly tcp: TcpTlsTransport;
  /** How long a QUIC dial may take before TCP is tried, in ms. Default 1,000. */
  readonly quicAttemptMs?: number;
}

const FORWARDED: TransportEventName[] = [
  'connectionOpened',
  'connectionClosed',
  'messageSent',
  'messageReceived',
  'requestCompleted',
  'transportError',
  'certificateExpiry',
];

/**
 * Dials QUIC first and falls back to TLS over TCP when UDP gets no answer within quicAttemptMs.
 * Only a timeout falls back: a certificate or identity failure over QUIC fails the dial (fail closed).
 */
export class FallbackTransport implements Transport {
  readonly kind = 'fallback' as const;
  private readonly events = new TransportEventEmitter();
  private readonly quicAttemptMs: number;
  private readonly forwarders: Array<() => void> = [];

  constructor(private readonly options: FallbackTransportOptions) {
    if (options?.quic === undefined || options.tcp === undefined) {
      throw new InvalidOptionsError('quic and tcp transports are required');
    }
    this.quicAttemptMs = options.quicAttemptMs ?? 1000;
    if (!(this.quicAttemptMs > 0)) throw new InvalidOptionsError('quicAttemptMs must be a positive number of ms');
    for (const inner of [options.quic, options.tcp]) {
      for (const name of FORWARDED) {
        const listener = (payload: TransportEvents[typeof name]): void => this.events.emit(name, payload);
        inner.on(name, listener);
        this.forwarders.push(() => inner.off(name, listener));
      }
    }
  }

  get connections(): ReadonlySet<Connection> {
    return new Set([...this.options.quic.connections, ...this.options.tcp.connections]);
  }

  /** Listens on QUIC at `port` and on TCP at `tcpPort` (default: any free port). */
  async listen(address: Partial<PeerAddress> = {}): Promise<ListenAddress> {
    const quic = await this.options.quic.listen({ host: address.host, port: address.port });
    const tcp = await this.options.tcp.listen({ host: address.host, port: address.tcpPort ?? 0 });
    return { host: quic.host, port: quic.port, tcpPort: tcp.port };
  }

  async dial(address: PeerAddress, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Connection> {
    try {
      return await this.options.quic.dial(address, { signal: options.signal, timeoutMs: this.quicAttemptMs });
    } catch (error) {
      if (!(error instanceof ConnectTimeoutError) || options.signal?.aborted === true) throw error;
    }
    this.events.emit('fallback', {
      from: 'quic',
      to: 'tcp',
      peer: `${address.host}:${address.tcpPort ?? address.port}`,
    });
    return this.options.tcp.dial(address, options);
  }

  handle(method: string, handler: Handler): void {
    this.options.quic.handle(method, handler);
    this.options.tcp.handle(method, handler);
  }

  onConnection(listener: (connection: Connection) => void): void {
    this.options.quic.onConnection(listener);
    this.options.tcp.onConnection(listener);
  }

  on<K extends TransportEventName>(event: K, listener: TransportListener<K>): this {
    this.events.on(event, listener);
    return this;
  }

  off<K extends TransportEventName>(event: K, listener: TransportListener<K>): this {
    this.events.off(event, listener);
    return this;
  }

  /** Rotates both inner transports (TCP first: it also builds its TLS context, the stricter check). */
  updateCredentials(credentials: TlsCredentials): void {
    this.options.tcp.updateCredentials(credentials);
    this.options.quic.updateCredentials(credentials);
  }

  async close(options: CloseOptions = {}): Promise<void> {
    for (const remove of this.forwarders.splice(0)) remove();
    await Promise.all([this.options.quic.close(options), this.options.tcp.close(options)]);
    this.events.removeAllListeners();
  }
}
