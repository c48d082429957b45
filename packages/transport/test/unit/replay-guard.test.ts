import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { clientHelloRandom } from '../../src/quic/endpoint/client-hello';
import { quiche, MAX_DATAGRAM_BYTES } from '../../src/quic/endpoint/native';
import { parsePacketHeader } from '../../src/quic/endpoint/packet-header';
import { ReplayGuard } from '../../src/quic/endpoint/replay-guard';
import { buildQuicheConfig } from '../../src/quic/endpoint/quiche-config';

/** A real client's first datagram, from quiche (no server needed). */
function firstDatagram(): Buffer {
  const config = buildQuicheConfig({
    verifyPeer: false,
    alpn: ['agentlink/1'],
    maxIdleTimeoutMs: 1000,
    maxStreamsBidi: 1,
    maxStreamsUni: 1,
    maxData: 1 << 16,
    maxStreamData: 1 << 16,
  });
  const host = { host: '127.0.0.1', port: 9 };
  const native = quiche.Connection.connect('localhost', randomBytes(20), host, host, config);
  const buffer = Buffer.alloc(MAX_DATAGRAM_BYTES);
  const sent = native.send(buffer);
  if (sent === null) throw new Error('quiche sent nothing');
  return buffer.subarray(0, sent[0]);
}

const randomOf = (datagram: Buffer): Buffer | undefined => {
  const header = parsePacketHeader(datagram);
  return header === undefined ? undefined : clientHelloRandom(datagram, header);
};

describe('the ClientHello random of a first flight (0-RTT anti-replay key)', () => {
  it('is read from a real Initial, differs per connection, and is undefined once a byte is changed', () => {
    const [a, b] = [firstDatagram(), firstDatagram()];
    expect(randomOf(a)).toHaveLength(32);
    expect(randomOf(b)).toHaveLength(32);
    expect(randomOf(a)!.equals(randomOf(b)!)).toBe(false);
    const corrupted = Buffer.from(a);
    corrupted[200] = (corrupted[200] as number) ^ 0x01; // inside the AEAD-protected payload
    expect(randomOf(corrupted)).toBeUndefined();
  });

  it('never throws on 500 mutated and truncated Initials', () => {
    const original = firstDatagram();
    for (let i = 0; i < 500; i += 1) {
      const mutated = Buffer.from(original.subarray(0, 1 + Math.floor(Math.random() * original.byteLength)));
      for (let flips = 0; flips < 1 + (i % 4); flips += 1) {
        const at = Math.floor(Math.random() * mutated.byteLength);
        mutated[at] = (mutated[at] as number) ^ (1 << (i % 8));
      }
      expect(() => randomOf(mutated)).not.toThrow();
    }
  });
});

describe('ReplayGuard', () => {
  const guarded = (maxEntries: number): [ReplayGuard, Buffer[]] => {
    const keys: Buffer[] = [];
    return [new ReplayGuard({ generationMs: 60_000, maxEntries, onTicketKey: (key) => keys.push(key) }), keys];
  };

  it('admits a first flight once, calls the same one again a replay, and forgets at key rotation', () => {
    const [guard, keys] = guarded(10);
    const random = randomBytes(32);
    expect(guard.screen(random)).toBe('early-data');
    expect(guard.screen(Buffer.from(random))).toBe('replay');
    expect(guard.screen(undefined)).toBe('no-early-data');
    expect(keys).toHaveLength(1);
    guard.rotate(); // tickets of the old key no longer resume: their first flights cannot return
    expect(keys).toHaveLength(2);
    expect(keys[0]!.equals(keys[1]!)).toBe(false);
    expect(guard.screen(random)).toBe('early-data');
    guard.stop();
  });

  it('refuses early data, failing closed, once its record is full, until the key rotates', () => {
    const [guard] = guarded(2);
    expect(guard.screen(randomBytes(32))).toBe('early-data');
    expect(guard.screen(randomBytes(32))).toBe('early-data');
    const unrecorded = randomBytes(32);
    expect(guard.screen(unrecorded)).toBe('no-early-data');
    expect(guard.screen(unrecorded)).toBe('no-early-data'); // never 'early-data' in this generation
    guard.rotate();
    expect(guard.screen(unrecorded)).toBe('early-data');
    guard.stop();
  });
});
