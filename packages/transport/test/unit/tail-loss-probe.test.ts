import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { TailLossProbe } from '../../src/quic/endpoint/tail-loss-probe';

/** Seeded with a 50 ms round trip and a 25 ms peer ACK delay: PTO 50 + 4 x 25 + 25 = 175 ms, probe at 1.25 PTO. */
const PROBE_AFTER_MS = 1.25 * 175;
const IDLE_MS = 30_000;

/** Advances the fake clock, then lets the probe decide: it does in the check phase after its timer fires. */
async function advance(ms: number): Promise<void> {
  jest.advanceTimersByTime(ms);
  await new Promise((resolve) => setImmediate(resolve));
}

describe('TailLossProbe (our PTO, independent of quiche srtt)', () => {
  let probes: number;
  let probe: TailLossProbe;

  beforeEach(() => {
    // setImmediate stays real: the probe's decision runs in a real check phase, against the fake clock.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'clearImmediate'] });
    probes = 0;
    // As QuicConnection does: the PINGs go out in a drain, and quiche re-arms its loss timer for them.
    probe = new TailLossProbe(() => {
      probes += 1;
      probe.update(300 + probes, true);
    });
    probe.start(50, 25, IDLE_MS);
  });
  afterEach(() => {
    probe.stop();
    jest.useRealTimers();
  });

  it('probes once data has been in flight for 1.25 PTO, then backs off by doubling', async () => {
    probe.update(300, true); // quiche's loss timer armed: data in flight
    await advance(PROBE_AFTER_MS - 2);
    expect(probes).toBe(0);
    await advance(2);
    expect(probes).toBe(1);
    await advance(2 * PROBE_AFTER_MS - 2);
    expect(probes).toBe(1);
    await advance(2);
    expect(probes).toBe(2);
  });

  it('is not put off by ACK-only datagrams (quiche does not re-arm its loss timer for them)', async () => {
    probe.update(300, true);
    await advance(100);
    probe.update(200, true); // same absolute loss deadline: an ACK went out, nothing new in flight
    await advance(PROBE_AFTER_MS - 100);
    expect(probes).toBe(1);
  });

  it('starts over from new data (quiche re-armed its loss timer)', async () => {
    probe.update(300, true);
    await advance(100);
    probe.update(300, true); // the deadline moved 100 ms later: a new ack-eliciting packet
    await advance(PROBE_AFTER_MS - 100);
    expect(probes).toBe(0);
    await advance(100);
    expect(probes).toBe(1);
  });

  it('starts over from stream data sent even when quiche\'s loss timer stays put (its stale send times)', async () => {
    probe.update(300, true);
    await advance(100);
    probe.update(200, true, true); // the next answer left; quiche's deadline did not move
    await advance(PROBE_AFTER_MS - 100);
    expect(probes).toBe(0);
    await advance(100);
    expect(probes).toBe(1);
  });

  it('never probes with nothing in flight (only the idle timer) or once stopped', async () => {
    probe.update(IDLE_MS - 5, true); // an ACK-only datagram on an idle connection
    await advance(10 * PROBE_AFTER_MS);
    expect(probes).toBe(0);
    probe.update(300, true);
    probe.update(IDLE_MS - 5, false); // everything acknowledged before the probe was due
    await advance(10 * PROBE_AFTER_MS);
    expect(probes).toBe(0);
    probe.update(300, true);
    probe.stop();
    await advance(10 * PROBE_AFTER_MS);
    expect(probes).toBe(0);
  });

  it('takes no RTT sample from a datagram that acknowledged nothing (the peer\'s own PINGs)', async () => {
    await advance(5); // off the fake clock's 0, which marks "no sample pending"
    probe.update(300, true);
    await advance(100);
    probe.received(); // the peer's probe, while our data was lost: quiche's loss timer stays where it was
    probe.update(200, true); // we answered with an ACK only
    expect(probe.ptoMs).toBe(175); // still the seeded estimate: a 100 ms sample would make it 325
    await advance(PROBE_AFTER_MS - 100);
    expect(probes).toBe(1);
    probe.received(); // the ACKs of the PINGs and the resent data (no sample across a probe: Karn)
    probe.update(IDLE_MS - 5, false);
    expect(probe.ptoMs).toBe(175);
    probe.update(300, true);
    await advance(20);
    probe.received(); // an answer: everything acknowledged
    probe.update(IDLE_MS - 5, false);
    expect(probe.ptoMs).toBe(20 + 4 * 10 + 25);
  });

  it('learns a path slower than its PTO: the backed-off wait is kept until an answer beats it', async () => {
    await advance(5); // off the fake clock's 0, which marks "no sample pending"
    const probesPerRequest: number[] = [];
    for (let request = 0; request < 5; request += 1) {
      const before = probes;
      probe.update(300, true);
      await advance(400); // the answer takes 400 ms: probe timeout 175 ms, probe at 219 ms
      probe.received();
      probe.update(IDLE_MS - 5, false);
      probesPerRequest.push(probes - before);
    }
    // The first request is probed; the second waits twice as long, its answer is a sample, and no more probes.
    expect(probesPerRequest).toEqual([1, 0, 0, 0, 0]);
    expect(probe.ptoMs).toBeGreaterThan(400);
  });

  it('measures the round trip: answers in 10 ms bring the probe to 1.25 x (10 + 4 rttvar + 25) ms', async () => {
    for (let i = 0; i < 40; i += 1) {
      probe.update(300, true);
      await advance(10);
      probe.received();
      probe.update(IDLE_MS - 5, false);
    }
    expect(probe.ptoMs).toBeGreaterThan(35);
    expect(probe.ptoMs).toBeLessThan(40);
    probe.update(300, true);
    await advance(1.25 * 40);
    expect(probes).toBe(1);
  });
});
