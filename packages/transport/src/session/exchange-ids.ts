const MAX_EXCHANGE_ID = 0xffffffff;

/**
 * Exchange ids of one side: dialers use odd ids and listeners even ones, so both sides can
 * start exchanges without colliding. Id 0 is the control channel and never handed out.
 */
export class ExchangeIds {
  private nextId: number;

  constructor(private readonly firstId: 1 | 2) {
    this.nextId = firstId;
  }

  /** The next id of this side's parity, wrapping around before the 32-bit limit. */
  next(): number {
    const id = this.nextId;
    this.nextId = this.nextId + 2 > MAX_EXCHANGE_ID ? this.firstId : this.nextId + 2;
    return id;
  }
}
