import { buildPacket, PACKET_FORMS, type PacketForm } from './packet-forms';
import { SeededRandom } from './seeded-random';

/** Options of a QuicPacketFuzzer. */
export interface PacketFuzzerOptions {
  /** Seed of the generator (same seed, same datagrams). Default 1. */
  readonly seed?: number;
  /**
   * Connection ids a live peer really uses (a listener's ids of a good connection), mixed with
   * random ones so forged packets reach real connections. Default none.
   */
  readonly knownCids?: readonly Buffer[];
}

/** What each generated datagram was, for the run's report. */
export interface FuzzCounts {
  datagrams: number;
  byForm: Record<PacketForm | 'random-bytes', number>;
  truncated: number;
  coalesced: number;
  knownCid: number;
}

/** QUIC v1, v2, a draft, a reserved "greasing" pattern, version negotiation's 0: the interesting ones. */
const VERSIONS = [0x00000001, 0x6b3343cf, 0xff00001d, 0x1a2a3a4a, 0x00000000];
/** Where a length matters: the 1200-byte floor of client Initials, around it, and extremes. */
const SIZES = [0, 1, 7, 8, 20, 21, 100, 1162, 1200, 1201, 1350, 1452];

/**
 * Datagrams built from every QUIC packet form (Initial, 0-RTT, Handshake, Retry, Version
 * Negotiation, short header), with random and known connection ids, random versions, tokens
 * and Length fields that lie; some truncated, some coalesced (several packets in one
 * datagram), as an attacker without keys can send them.
 */
export class QuicPacketFuzzer {
  readonly counts: FuzzCounts = {
    datagrams: 0,
    byForm: {
      initial: 0,
      'zero-rtt': 0,
      handshake: 0,
      retry: 0,
      'version-negotiation': 0,
      short: 0,
      'random-bytes': 0,
    },
    truncated: 0,
    coalesced: 0,
    knownCid: 0,
  };
  private readonly random: SeededRandom;
  private readonly knownCids: readonly Buffer[];

  constructor(options: PacketFuzzerOptions = {}) {
    this.random = new SeededRandom(options.seed ?? 1);
    this.knownCids = options.knownCids ?? [];
  }

  /** The next datagram (at most 1,452 bytes). */
  next(): Buffer {
    this.counts.datagrams += 1;
    const r = this.random;
    const packets = r.int(8) === 0 ? 2 + r.int(3) : 1;
    if (packets > 1) this.counts.coalesced += 1;
    let datagram = Buffer.concat(Array.from({ length: packets }, () => this.packet()));
    if (r.int(6) === 0) {
      this.counts.truncated += 1;
      datagram = datagram.subarray(0, r.int(datagram.byteLength + 1));
    }
    return datagram.byteLength > 1452 ? datagram.subarray(0, 1452) : datagram;
  }

  /** A datagram of random bytes (1..1452), for the plain flood. */
  randomBytes(): Buffer {
    this.counts.datagrams += 1;
    this.counts.byForm['random-bytes'] += 1;
    return this.random.bytes(1 + this.random.int(1452));
  }

  private packet(): Buffer {
    const r = this.random;
    const form = r.pick(PACKET_FORMS);
    this.counts.byForm[form] += 1;
    const size = r.int(3) === 0 ? r.int(1453) : r.pick(SIZES);
    const payload = r.bytes(size);
    return buildPacket(
      form,
      {
        version: r.int(3) === 0 ? r.next() : r.pick(VERSIONS),
        dcid: this.cid(form === 'short' ? 20 : r.pick([0, 4, 8, 16, 20, 21, 255])),
        scid: this.cid(r.pick([0, 8, 20, 21])),
        token: r.int(2) === 0 ? Buffer.alloc(0) : r.bytes(r.pick([1, 16, 32, 73, 200])),
        // The Length field: right, short, long or absurd.
        length: r.pick([size, size + 1, Math.max(0, size - 1), r.int(1 << 14), 2 ** 40]),
        payload,
      },
      r,
    );
  }

  private cid(length: number): Buffer {
    if (this.knownCids.length > 0 && this.random.int(3) === 0) {
      this.counts.knownCid += 1;
      return this.random.pick(this.knownCids);
    }
    return this.random.bytes(length);
  }
}
