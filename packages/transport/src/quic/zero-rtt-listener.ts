import { clientHelloRandom } from './endpoint/client-hello';
import { isLoopbackAddress } from './endpoint/datagram-size';
import type { QuicheConfig } from './endpoint/native';
import type { PacketHeader } from './endpoint/packet-header';
import { ReplayGuard } from './endpoint/replay-guard';

/** How long one session-ticket key lives: tickets older than this resume no more (full handshake). */
const TICKET_KEY_LIFETIME_MS = 10 * 60_000;
/** First flights remembered per ticket key; beyond it early data is refused until the key rotates. */
const MAX_FIRST_FLIGHTS = 50_000;

/** Two quiche configs for one kind of peer: one that accepts early data, one that refuses it. */
export interface EarlyDataConfigs {
  readonly early: QuicheConfig;
  readonly plain: QuicheConfig;
}

/**
 * A listener's configs per kind of peer, as on the 1-RTT path: a peer on this host gets large
 * datagrams, any other 1,350-byte ones (datagram-size.ts).
 */
export interface ListenerConfigs {
  readonly loopback: EarlyDataConfigs;
  readonly path: EarlyDataConfigs;
}

/**
 * The listener side of 0-RTT: all its configs seal tickets with the same key, rotated every
 * TICKET_KEY_LIFETIME_MS, and each client's first flight is screened by the replay guard:
 * fresh ones get the config with early data, replays no connection, the rest a handshake
 * without early data (README "0-RTT and replay").
 */
export class ZeroRttListener {
  private configs: ListenerConfigs;
  private readonly guard: ReplayGuard;

  constructor(configs: ListenerConfigs) {
    this.configs = configs;
    this.guard = new ReplayGuard({
      generationMs: TICKET_KEY_LIFETIME_MS,
      maxEntries: MAX_FIRST_FLIGHTS,
      onTicketKey: (key) => this.applyKey(key),
    });
  }

  /** New credentials: new configs and a new ticket key (tickets from before stop resuming). */
  replace(configs: ListenerConfigs): void {
    this.configs = configs;
    this.guard.rotate();
  }

  /** The config for a client's first datagram from `peerHost`, or undefined for a replayed first flight. */
  configFor(datagram: Buffer, header: PacketHeader, peerHost: string): QuicheConfig | undefined {
    const verdict = this.guard.screen(clientHelloRandom(datagram, header));
    if (verdict === 'replay') return undefined;
    const configs = isLoopbackAddress(peerHost) ? this.configs.loopback : this.configs.path;
    return verdict === 'early-data' ? configs.early : configs.plain;
  }

  stop(): void {
    this.guard.stop();
  }

  /** One key for all four configs: a ticket issued to a peer resumes whichever config it meets. */
  private applyKey(key: Buffer): void {
    for (const { early, plain } of [this.configs.loopback, this.configs.path]) {
      early.setTicketKey(key);
      plain.setTicketKey(key);
    }
  }
}
