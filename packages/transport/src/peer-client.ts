import { BreakerGroup, exponentialBackoff, InvalidOptionsError, sleep, type Backoff } from '@agentlink/resilience';
import { ConnectionClosedError } from './errors';
import type { Connection, PeerAddress, RequestOptions, Transport } from './types';

export interface PeerClientOptions {
  readonly transport: Pick<Transport, 'dial'>;
  readonly address: PeerAddress;
  /** Delay between reconnect attempts. Default exponential 100 ms .. 30 s, full jitter. */
  readonly backoff?: Backoff;
  /** Per-peer breakers shared by many PeerClients; keyed by host:port. Default: a private group. */
  readonly breakers?: BreakerGroup;
  /** Called before each reconnect wait (for logs and tests). */
  readonly onReconnect?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/**
 * Keeps one connection to a peer: dials on demand through a per-peer circuit breaker and, when
 * the connection drops, reconnects with capped jittered backoff. close() cancels any pending
 * wait, so a closed client never reconnects.
 */
export class PeerClient {
  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private readonly stop = new AbortController();
  private readonly backoff: Backoff;
  private readonly breakers: BreakerGroup;
  private readonly ownsBreakers: boolean;
  private readonly key: string;

  constructor(private readonly options: PeerClientOptions) {
    if (options?.transport === undefined || options.address === undefined) {
      throw new InvalidOptionsError('PeerClient needs a transport and an address');
    }
    this.backoff = options.backoff ?? exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 30_000, jitter: 'full' });
    this.ownsBreakers = options.breakers === undefined;
    this.breakers = options.breakers ?? new BreakerGroup({ volumeThreshold: 10, resetTimeoutMs: 10_000 });
    this.key = `${options.address.host}:${options.address.port}`;
  }

  get closed(): boolean {
    return this.stop.signal.aborted;
  }

  /** The live connection, dialling (with retries) if there is none. */
  async connect(): Promise<Connection> {
    if (this.closed) throw new ConnectionClosedError('PeerClient was closed');
    if (this.connection !== undefined && !this.connection.closed) return this.connection;
    this.connecting ??= this.dialWithRetry().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async request(method: string, body: Uint8Array, options?: RequestOptions): Promise<Uint8Array> {
    return (await this.connect()).request(method, body, options);
  }

  /** Closes the connection and cancels any reconnect; never reconnects afterwards. */
  async close(): Promise<void> {
    this.stop.abort(new ConnectionClosedError('PeerClient was closed'));
    const connection = this.connection;
    this.connection = undefined;
    await this.connecting?.catch(() => undefined);
    await connection?.close();
    if (this.ownsBreakers) this.breakers.close();
  }

  private async dialWithRetry(): Promise<Connection> {
    for (let attempt = 1; ; attempt += 1) {
      this.stop.signal.throwIfAborted();
      try {
        const connection = await this.breakers.execute(
          this.key,
          (signal) => this.options.transport.dial(this.options.address, { signal }),
          this.stop.signal,
        );
        if (this.closed) {
          await connection.close({ force: true });
          throw new ConnectionClosedError('PeerClient was closed');
        }
        this.connection = connection;
        // Reconnect only what the listener had accepted: an eager dial it refuses closes at once
        // and would be redialled in a loop; the next connect() dials again instead.
        void connection.accepted.then(
          () => connection.closedPromise.then(() => this.reconnectSoon()),
          () => {
            if (this.connection === connection) this.connection = undefined;
          },
        );
        return connection;
      } catch (error) {
        if (this.closed) throw new ConnectionClosedError('PeerClient was closed');
        const retryable = (error as { retryable?: boolean }).retryable === true;
        if (!retryable) throw error;
        const delayMs = this.backoff.delay(attempt);
        this.options.onReconnect?.({ attempt, delayMs, error });
        await sleep(delayMs, this.stop.signal).catch(() => {
          throw new ConnectionClosedError('PeerClient was closed');
        });
      }
    }
  }

  private reconnectSoon(): void {
    if (this.closed) return;
    this.connection = undefined;
    this.connect().catch(() => undefined);
  }
}
