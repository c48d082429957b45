/** PINGs per probe: their ACKs make the missing packet three packets old (RFC 9002 §6.1.1). */
export const PROBE_PINGS = 3;
/** Probes back off by doubling, up to this many times, until everything in flight is acknowledged. */
const MAX_BACKOFF = 6;
/** Before any sample: RFC 9002's initial RTT. */
const INITIAL_RTT_MS = 333;
/** Timer granularity (RFC 9002 kGranularity). */
const GRANULARITY_MS = 1;
/**
 * We wait this much longer than our PTO: where quiche's estimate is right, its own PTO comes first
 * and resends the data itself, one round trip sooner than PINGs can get it resent.
 */
const LATER_THAN_QUICHE = 1.25;

/**
 * Loss recovery that does not trust quiche's RTT estimate. quiche 0.18, the build @matrixai/quic
 * ships, records a packet as sent at its pacer's next send time, and with pacing off (we cannot
 * read the paced times) that time moves on only once a burst's worth of bytes has left. On a
 * connection that sends less than it may, such as one small request at a time, packets carry a
 * send time up to seconds old: srtt, the probe timeout (PTO) and time-threshold loss detection
 * grow to many round trips, and a lost lone packet waits for them (measured through 25 ms each
 * way: 1.3 s for a lost request under BBR; CUBIC's srtt climbs to 20 s under 2 % loss; BENCHMARKS.md).
 *
 * This keeps an RTT estimate of its own, from a datagram carrying new data to the next datagram
 * from the peer, and, when data has been in flight for a PTO by that estimate, asks for PINGs: their
 * ACKs let quiche declare the missing packet lost by packet threshold, which ignores srtt, and
 * send it again. Probes back off by doubling; samples taken across a probe are skipped (Karn).
 */
export class TailLossProbe {
  private srttMs = 0;
  private rttvarMs = 0;
  private sampled = false;
  private seedMs = INITIAL_RTT_MS;
  /** The peer's max_ack_delay: how long it may hold an ACK. */
  private peerAckDelayMs = 0;
  /** quiche holds ack-eliciting data not yet acknowledged (as of the last drain). */
  private inFlight = false;
  /** When ack-eliciting data last left. */
  private lastSendAt = 0;
  /** quiche's loss timer as of the last drain (absolute, performance.now() time). */
  private lossDeadline = 0;
  /** quiche's timeout() at or above this is its idle timer: nothing in flight. */
  private idleBelowMs = Number.POSITIVE_INFINITY;
  /** When the datagram whose answer makes the next RTT sample left (0: none pending). */
  private sampleFrom = 0;
  /** The sample a datagram from the peer gives, kept by update() if that datagram acknowledged data (0: none). */
  private candidateRttMs = 0;
  /** Probes sent since the peer was last heard from. */
  private probes = 0;
  /**
   * Doublings of the probe wait: one per probe, kept until the next RTT sample (as RFC 6298 keeps a
   * backed-off RTO). A path that became slower than our PTO is then learned: the wait doubles until
   * an answer beats it and gives a sample, instead of every request being probed and its answer,
   * by Karn, never sampled.
   */
  private backoff = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDeadline = 0;
  /** A fired timer's decision, waiting for the datagrams already in the socket (see fire). */
  private decision: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(private readonly probe: () => void) {}

  /**
   * From the handshake on: an RTT to start from (the handshake's), the peer's max_ack_delay, and
   * the connection's idle timeout (the smaller of ours and the peer's; none: Infinity).
   */
  start(rttMs: number, peerAckDelayMs: number, idleTimeoutMs: number): void {
    if (rttMs > 0) this.seedMs = rttMs;
    this.peerAckDelayMs = peerAckDelayMs;
    // A loss timer is far below the idle one; 3/4 leaves room for a backed-off probe timeout.
    this.idleBelowMs = 0.75 * idleTimeoutMs;
  }

  /**
   * A datagram from the peer: it answers the oldest datagram we sent since the last one (quiche
   * acknowledges at once; a peer that delays its ACKs lengthens the sample, erring on the safe side),
   * if it acknowledged anything: update(), after its drain, tells (see acknowledged there).
   */
  received(): void {
    if (this.stopped) return;
    // Not once the probe was due, whether its timer has fired (its decision pending) or not (a stall
    // in a timer callback reads the socket first): such a datagram waited out a stall or answers
    // something else, and would inflate the PTO. A path that really got slower is learned through the
    // backoff (see backoff).
    const now = performance.now();
    const timely = this.probes === 0 && !(this.inFlight && now >= this.deadline());
    if (this.sampleFrom !== 0 && timely && this.candidateRttMs === 0) this.candidateRttMs = now - this.sampleFrom;
    this.sampleFrom = 0;
    this.probes = 0;
  }

  /**
   * After each drain, with quiche's timeout() and whether datagrams left. A loss timer (below
   * `idleBelowMs`, the idle timer's range) means ack-eliciting data is in flight; one that moved
   * means this drain sent some, or an ACK of new data came (quiche re-arms it then, and only
   * then). That tells ours apart from ACK-only datagrams: they elicit nothing and must not put the
   * probe off. `sentStreamData` (our stream data or FIN left in this drain) says so directly: quiche
   * stamps a packet with its pacer's stale send time, so an answer sent as the ACK of the previous
   * one comes in can leave its loss timer where it was (0.5 ms apart, seen: a probe then fired
   * while the answer was simply on its way).
   */
  update(timeoutMs: number | null, sent: boolean, sentStreamData = false): void {
    if (this.stopped) return;
    const now = performance.now();
    const inFlight = timeoutMs !== null && timeoutMs < this.idleBelowMs;
    const lossDeadline = inFlight ? now + timeoutMs : 0;
    const rearmed = Math.abs(lossDeadline - this.lossDeadline) > GRANULARITY_MS;
    const newData = sent && inFlight && (!this.inFlight || rearmed || sentStreamData);
    // The datagrams since the last drain acknowledged data when that emptied the flight or moved
    // quiche's loss timer; a datagram that did neither (the peer's own probe PINGs, while our answer
    // was lost) says nothing of our round trip. A move from data sent in this drain counts too.
    const acknowledged = this.inFlight && (!inFlight || rearmed);
    if (this.candidateRttMs > 0 && acknowledged) {
      this.sample(this.candidateRttMs);
      this.backoff = 0;
    }
    this.candidateRttMs = 0;
    this.inFlight = inFlight;
    this.lossDeadline = lossDeadline;
    // Nothing in flight: a pending timer finds that and lapses.
    if (!inFlight) return;
    if (newData) {
      this.lastSendAt = now;
      if (this.sampleFrom === 0) this.sampleFrom = now;
    }
    this.arm(this.deadline());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearImmediate(this.decision);
    this.timer = this.decision = undefined;
  }

  /** The probe timeout by our estimate (RFC 9002 §6.2.1). */
  get ptoMs(): number {
    const srtt = this.sampled ? this.srttMs : this.seedMs;
    const rttvar = this.sampled ? this.rttvarMs : this.seedMs / 2;
    return srtt + Math.max(4 * rttvar, GRANULARITY_MS) + this.peerAckDelayMs;
  }

  /** Backed off by doubling per probe since the last RTT sample. */
  private deadline(): number {
    return this.lastSendAt + LATER_THAN_QUICHE * this.ptoMs * 2 ** Math.min(this.backoff, MAX_BACKOFF);
  }

  private sample(rttMs: number): void {
    if (!this.sampled) {
      this.sampled = true;
      this.srttMs = rttMs;
      this.rttvarMs = rttMs / 2;
      return;
    }
    this.rttvarMs = 0.75 * this.rttvarMs + 0.25 * Math.abs(this.srttMs - rttMs);
    this.srttMs = 0.875 * this.srttMs + 0.125 * rttMs;
  }

  /** A timer that fires by `deadline`; an earlier one is kept and re-armed when it fires (no churn per send). */
  private arm(deadline: number): void {
    if (this.timer !== undefined && this.timerDeadline <= deadline) return;
    clearTimeout(this.timer);
    this.timerDeadline = deadline;
    this.timer = setTimeout(this.fire, Math.max(0, deadline - performance.now()));
  }

  /**
   * After a stall of this process in I/O or setImmediate (a long GC, a synchronous task), the loop's
   * next turn runs expired timers before it reads its sockets: the ACKs that came meanwhile are still
   * unread when this fires. The decision waits for the check phase, after that read, so those ACKs
   * count and no needless PINGs go out.
   */
  private readonly fire = (): void => {
    this.timer = undefined;
    if (this.decision === undefined) this.decision = setImmediate(this.decide);
  };

  private readonly decide = (): void => {
    this.decision = undefined;
    if (this.stopped || !this.inFlight || this.timer !== undefined) return;
    const deadline = this.deadline();
    if (performance.now() + GRANULARITY_MS < deadline) return this.arm(deadline);
    // Karn: an answer that may be to the probe says nothing about the lost packet's round trip.
    this.sampleFrom = 0;
    this.probes += 1;
    this.backoff += 1;
    this.probe();
    if (this.inFlight) this.arm(this.deadline());
  };
}
