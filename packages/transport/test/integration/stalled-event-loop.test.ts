import dgram from 'node:dgram';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConnectionTimers } from '../../src/quic/endpoint/connection-timers';
import { TailLossProbe } from '../../src/quic/endpoint/tail-loss-probe';
import { StalledLoop } from '../support/stalled-loop';

/** Seeded with a 10 ms round trip and no peer ACK delay: PTO 10 + 4 x 5 = 30 ms, probe at 37.5 ms. */
const RTT_MS = 10;
const IDLE_MS = 30_000;
const STALL_MS = 200;
const ATTEMPTS = 3;

describe('an event-loop stall: datagrams that came during it count before expired timers act', () => {
  let receiver: dgram.Socket;
  let port: number;
  let loop: StalledLoop;

  beforeEach(async () => {
    receiver = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    port = receiver.address().port;
    loop = await StalledLoop.start();
  });
  afterEach(async () => {
    receiver.close();
    await loop.close();
  });

  /**
   * Probes sent by a TailLossProbe with data in flight through a stall (the ACK arrives in it when
   * `acked`), and its probe timeout afterwards.
   */
  async function probesThroughStall(acked: boolean): Promise<{ probes: number; ptoMs: number }> {
    for (let attempt = 1; ; attempt++) {
      let probes = 0;
      // As QuicConnection does: the PINGs go out in a drain, and quiche re-arms its loss timer for them.
      const probe: TailLossProbe = new TailLossProbe(() => {
        probes += 1;
        probe.update(300 + probes, true);
      });
      probe.start(RTT_MS, 0, IDLE_MS);
      // The datagram is the peer's ACK of everything: quiche then has only its idle timer left.
      const onAck = (): void => {
        probe.received();
        probe.update(IDLE_MS - 5, false);
      };
      if (acked) receiver.on('message', onAck);
      probe.update(300, true);
      const inStall = await loop.stall(acked ? port : 9, 5, STALL_MS);
      await delay(20);
      probe.stop();
      receiver.off('message', onAck);
      if (inStall || !acked || attempt === ATTEMPTS) {
        expect(inStall || !acked).toBe(true);
        return { probes, ptoMs: probe.ptoMs };
      }
    }
  }

  it('TailLossProbe sends no PINGs when the ACK came during the stall, and probes when none came', async () => {
    expect((await probesThroughStall(false)).probes).toBe(1);
    const acked = await probesThroughStall(true);
    expect(acked.probes).toBe(0);
    // The stalled ACK is no RTT sample (it would make the PTO 600 ms and more): still the seeded 30 ms.
    expect(acked.ptoMs).toBe(RTT_MS + 4 * (RTT_MS / 2));
  });

  it("quiche's timeout runs after the datagrams that came during the stall are read", async () => {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const events: string[] = [];
      const timers = new ConnectionTimers(
        () => events.push('timeout'),
        () => undefined,
        () => undefined,
      );
      const onDatagram = (): number => events.push('datagram');
      receiver.on('message', onDatagram);
      timers.arm(20);
      const inStall = await loop.stall(port, 5, STALL_MS);
      while (events.length < 2) await delay(5);
      timers.stop();
      receiver.off('message', onDatagram);
      if (!inStall && attempt < ATTEMPTS) continue;
      expect(inStall).toBe(true);
      expect(events).toEqual(['datagram', 'timeout']);
      return;
    }
  });
});
