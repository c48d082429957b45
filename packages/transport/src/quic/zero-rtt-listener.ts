import { clientHelloRandom } from './endpoint/client-hello';
import type { QuicheConfig } from './endpoint/native';
import type { PacketHeader } from './endpoint/packet-header';
import { ReplayGuard } from './endpoint/replay-guard';

/** How long one session-ticket key lives: tickets older than this resume no more (full handshake). */
const TICKET_KEY_LIFETIME_MS = 10 * 60_000;
/** First flights remembered per ticket key; beyond it early data is refused until the key rotates. */
const MAX_FIRST_FLIGHTS = 50_000;

/** A listener's two quiche configs: one that accepts early data, one that refuses it. */
export interface ListenerConfigs {
  readonly early: QuicheConfig;
  readonly plain: QuicheConfig;
}

/**
 * The listener side of 0-RTT: both configs seal tickets with the same key, rotated every
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

  /** The config for a client's first datagram, or undefined for a replayed first flight. */
  configFor(datagram: Buffer, header: PacketHeader): QuicheConfig | undefined {
    const verdict = this.guard.screen(clientHelloRandom(datagram, header));
    if (verdict === 'replay') return undefined;
    return verdict === 'early-data' ? this.configs.early : this.configs.plain;
  }

  stop(): void {
    this.guard.stop();
  }

  private applyKey(key: Buffer): void {
    this.configs.early.setTicketKey(key);
    this.configs.plain.setTicketKey(key);
  }
}
