import { randomBytes } from 'node:crypto';

/** BoringSSL's session-ticket key: 16 bytes name, 16 HMAC, 16 AES (SSL_CTX_set_tlsext_ticket_keys). */
const TICKET_KEY_BYTES = 48;

/** What the listener does with a client's first flight. */
export type EarlyDataVerdict = 'early-data' | 'no-early-data' | 'replay';

export interface ReplayGuardOptions {
  /** How long one ticket key (and the record of first flights seen under it) lives. */
  readonly generationMs: number;
  /** First flights remembered per generation; beyond it, early data is refused until the next one. */
  readonly maxEntries: number;
  /** Called with each new ticket key: set it on every config that accepts connections. */
  readonly onTicketKey: (key: Buffer) => void;
}

/**
 * Anti-replay for 0-RTT (RFC 8446 §8.2 "ClientHello recording", RFC 9001 §9.2). Session tickets
 * are sealed with one key per generation, so a ticket, and any first flight built on it, is
 * accepted at most until the key rotates. Within a generation every ClientHello random seen is
 * remembered: the same first flight again is a replay and gets no connection. A first flight we
 * cannot record (random unreadable, record full) gets a handshake without early data. Rotating
 * the key ends every ticket of the old generation, so its record can be dropped.
 */
export class ReplayGuard {
  private seen = new Set<string>();
  private full = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ReplayGuardOptions) {
    this.rotate();
    this.timer = setInterval(() => this.rotate(), options.generationMs);
    this.timer.unref();
  }

  /** Decides for a first flight whose ClientHello random is `random` (undefined: unreadable). */
  screen(random: Buffer | undefined): EarlyDataVerdict {
    if (random === undefined) return 'no-early-data';
    const key = random.toString('base64');
    if (this.seen.has(key)) return 'replay';
    if (this.full || this.seen.size >= this.options.maxEntries) {
      // Fail closed: a first flight we did not record could be replayed later in this generation.
      this.full = true;
      return 'no-early-data';
    }
    this.seen.add(key);
    return 'early-data';
  }

  /** A new ticket key: earlier tickets stop resuming, so earlier first flights cannot be replayed. */
  rotate(): void {
    this.seen = new Set();
    this.full = false;
    this.options.onTicketKey(randomBytes(TICKET_KEY_BYTES));
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.seen.clear();
  }
}
