import { EventEmitter } from 'node:events';
import { describe, it, expect } from '@jest/globals';
import { createTelemetryMetrics, instrumentTransport, REQUEST_DURATION_BUCKETS_SECONDS } from '../src/index';
import { samplesOf, valueOf } from './support/metric-samples';

const TRANSPORT_EVENTS = [
  'connectionOpened', 'connectionClosed', 'messageSent', 'messageReceived',
  'requestCompleted', 'transportError', 'certificateExpiry', 'fallback',
];

function setup(options: Parameters<typeof createTelemetryMetrics>[0] = {}) {
  const metrics = createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1024, ...options });
  const transport = new EventEmitter();
  const detach = instrumentTransport(transport, metrics);
  return { metrics, transport, detach };
}

describe('instrumentTransport counting', () => {
  it('counts sent and received messages and bytes separately and exactly', async () => {
    const { metrics, transport } = setup();
    for (const bytes of [100, 200, 300]) {
      transport.emit('messageSent', { transport: 'quic', peer: 'p1', method: 'task.run', bytes });
    }
    for (const bytes of [10, 20]) {
      transport.emit('messageReceived', { transport: 'quic', peer: 'p1', method: 'task.run', bytes });
    }
    transport.emit('messageReceived', { transport: 'tcp', peer: 'p2', method: 'task.result', bytes: 7 });

    const quicRun = { transport: 'quic', method: 'task.run' };
    expect(await valueOf(metrics.messagesSent, quicRun)).toBe(3);
    expect(await valueOf(metrics.bytesSent, quicRun)).toBe(600);
    expect(await valueOf(metrics.messagesReceived, quicRun)).toBe(2);
    expect(await valueOf(metrics.bytesReceived, quicRun)).toBe(30);
    expect(await valueOf(metrics.messagesReceived, { transport: 'tcp', method: 'task.result' })).toBe(1);
    expect(await valueOf(metrics.bytesReceived, { transport: 'tcp', method: 'task.result' })).toBe(7);
    // Nothing received over TCP was counted as sent, and nothing leaked across transports.
    expect(await samplesOf(metrics.messagesSent)).toHaveLength(1);
    expect(await valueOf(metrics.messagesSent, { transport: 'tcp', method: 'task.result' })).toBeUndefined();
  });

  it('records each request latency in the right histogram buckets with an exact sum and count', async () => {
    const { metrics, transport } = setup();
    const latenciesMs = [0.5, 1, 7, 100, 150, 20_000];
    for (const latencyMs of latenciesMs) {
      transport.emit('requestCompleted', {
        transport: 'quic',
        peer: 'p1',
        method: 'task.run',
        latencyMs,
        outcome: 'ok',
      });
    }
    transport.emit('requestCompleted', {
      transport: 'quic',
      peer: 'p1',
      method: 'task.run',
      latencyMs: 5,
      outcome: 'timeout',
    });

    const labels = { transport: 'quic', method: 'task.run', outcome: 'ok' };
    const bucket = (le: number | string) =>
      valueOf(metrics.requestDuration, { ...labels, le }, 'agentlink_request_duration_seconds_bucket');
    // Buckets are cumulative and their upper bound is inclusive.
    const expected = new Map<number, number>([
      [0.001, 2],
      [0.0025, 2],
      [0.005, 2],
      [0.01, 3],
      [0.075, 3],
      [0.1, 4],
      [0.15, 5],
      [10, 5],
    ]);
    for (const [le, count] of expected) expect(await bucket(le)).toBe(count);
    expect(await bucket('+Inf')).toBe(6);
    expect(await valueOf(metrics.requestDuration, labels, 'agentlink_request_duration_seconds_count')).toBe(6);
    const sum = await valueOf(metrics.requestDuration, labels, 'agentlink_request_duration_seconds_sum');
    expect(sum).toBeCloseTo(latenciesMs.reduce((a, b) => a + b, 0) / 1000, 9);
    expect(
      await valueOf(
        metrics.requestDuration,
        { transport: 'quic', method: 'task.run', outcome: 'timeout' },
        'agentlink_request_duration_seconds_count',
      ),
    ).toBe(1);
  });

  it('uses buckets that resolve 1 ms to 10 s', () => {
    expect(REQUEST_DURATION_BUCKETS_SECONDS[0]).toBe(0.001);
    expect(REQUEST_DURATION_BUCKETS_SECONDS.at(-1)).toBe(10);
    expect(REQUEST_DURATION_BUCKETS_SECONDS).toContain(0.1);
    expect([...REQUEST_DURATION_BUCKETS_SECONDS].sort((a, b) => a - b)).toEqual(REQUEST_DURATION_BUCKETS_SECONDS);
  });

  it('tracks active connections per transport and direction with handshake times', async () => {
    const { metrics, transport } = setup();
    transport.emit('connectionOpened', { transport: 'quic', peer: 'p1', direction: 'outbound', handshakeMs: 3 });
    transport.emit('connectionOpened', { transport: 'quic', peer: 'p2', direction: 'outbound', handshakeMs: 30 });
    transport.emit('connectionOpened', { transport: 'tcp', peer: 'p3', direction: 'inbound', handshakeMs: 1 });
    transport.emit('connectionClosed', {
      transport: 'quic',
      peer: 'p1',
      direction: 'outbound',
      reason: 'idle-timeout',
    });

    expect(await valueOf(metrics.quicConnectionsActive, { direction: 'outbound' })).toBe(1);
    expect(await valueOf(metrics.quicConnectionsActive, { direction: 'inbound' })).toBe(0);
    expect(await valueOf(metrics.tcpConnectionsActive, { direction: 'inbound' })).toBe(1);
    expect(await valueOf(metrics.connectionsOpened, { transport: 'quic', direction: 'outbound' })).toBe(2);
    expect(
      await valueOf(metrics.connectionsClosed, { transport: 'quic', direction: 'outbound', reason: 'idle-timeout' }),
    ).toBe(1);
    const handshake = { transport: 'quic', direction: 'outbound' };
    expect(await valueOf(metrics.handshakeDuration, handshake, 'agentlink_handshake_duration_seconds_count')).toBe(2);
    expect(
      await valueOf(metrics.handshakeDuration, handshake, 'agentlink_handshake_duration_seconds_sum'),
    ).toBeCloseTo(0.033, 9);
    expect(
      await valueOf(
        metrics.handshakeDuration,
        { ...handshake, le: 0.005 },
        'agentlink_handshake_duration_seconds_bucket',
      ),
    ).toBe(1);
  });

  it('never drives the active gauge negative for a close it did not see open', async () => {
    const { metrics, transport } = setup();
    transport.emit('connectionClosed', { transport: 'tcp', peer: 'p1', direction: 'inbound', reason: 'reset' });
    expect(await valueOf(metrics.tcpConnectionsActive, { direction: 'inbound' })).toBe(0);
    expect(await valueOf(metrics.connectionsClosed, { transport: 'tcp', direction: 'inbound', reason: 'reset' })).toBe(
      1,
    );
  });

  it('counts errors by code, fallbacks and certificate expiry', async () => {
    const { metrics, transport } = setup();
    transport.emit('transportError', { transport: 'quic', peer: 'p1', code: 'ERR_FRAME_TOO_LARGE' });
    transport.emit('transportError', { transport: 'quic', code: 'ERR_FRAME_TOO_LARGE' });
    transport.emit('transportError', { transport: 'tcp', code: 'ECONNRESET' });
    transport.emit('fallback', { from: 'quic', to: 'tcp', peer: 'p1' });
    transport.emit('certificateExpiry', { subject: 'agent-a', secondsLeft: 86_400 });
    transport.emit('certificateExpiry', { subject: 'agent-a', secondsLeft: 86_000 });
    transport.emit('certificateExpiry', { subject: 'agent-old', secondsLeft: -5 });

    expect(await valueOf(metrics.errors, { transport: 'quic', code: 'ERR_FRAME_TOO_LARGE' })).toBe(2);
    expect(await valueOf(metrics.errors, { transport: 'tcp', code: 'ECONNRESET' })).toBe(1);
    expect(await valueOf(metrics.transportFallbacks, { from: 'quic', to: 'tcp' })).toBe(1);
    expect(await valueOf(metrics.certificateExpiry, { subject: 'agent-a' })).toBe(86_000);
    expect(await valueOf(metrics.certificateExpiry, { subject: 'agent-old' })).toBe(-5);
  });

  it('counts refused peer certificates by rule, only for events with a reason, bounded', async () => {
    const { metrics, transport } = setup({ maxLabelValues: 2 });
    for (const peer of ['p1', 'p2']) {
      transport.emit('transportError', { transport: 'quic', peer, code: 'ERR_PEER_CERT_POLICY', reason: 'key-size' });
    }
    transport.emit('transportError', { transport: 'tcp', code: 'ERR_CERT_VERIFICATION', reason: 'chain' });
    transport.emit('transportError', { transport: 'tcp', code: 'ERR_PEER_IDENTITY', reason: 'identity' });
    transport.emit('transportError', { transport: 'tcp', code: 'ERR_CONNECT_FAILED' });
    const samples = await samplesOf(metrics.certificateRefusals);
    expect(samples.map((s) => [s.labels.transport, s.labels.reason, s.value]).sort()).toEqual([
      ['quic', 'key-size', 2],
      ['tcp', 'chain', 1],
      ['tcp', 'other', 1],
    ]);
    // Every event is an error; only the four with a reason are refusals.
    expect((await samplesOf(metrics.errors)).reduce((sum, s) => sum + s.value, 0)).toBe(5);
  });

  it("caps method labels at maxMethods and labels the rest 'other'", async () => {
    const { metrics, transport } = setup({ maxMethods: 2 });
    for (const method of ['a', 'b', 'c', 'd', 'a']) {
      transport.emit('messageSent', { transport: 'tcp', peer: 'p', method, bytes: 1 });
    }
    const samples = await samplesOf(metrics.messagesSent);
    expect(samples.map((s) => [s.labels.method, s.value]).sort()).toEqual([
      ['a', 2],
      ['b', 1],
      ['other', 2],
    ]);
  });

  it("labels methods outside an explicit allow-list 'other'", async () => {
    const { metrics, transport } = setup({ methods: ['task.run'] });
    transport.emit('requestCompleted', {
      transport: 'tcp',
      peer: 'p',
      method: 'task.run',
      latencyMs: 1,
      outcome: 'ok',
    });
    transport.emit('requestCompleted', {
      transport: 'tcp',
      peer: 'p',
      method: 'debug.dump',
      latencyMs: 1,
      outcome: 'ok',
    });
    const counts = (await samplesOf(metrics.requestDuration)).filter((s) => s.name.endsWith('_count'));
    expect(counts.map((s) => s.labels.method).sort()).toEqual(['other', 'task.run']);
  });

  it('adds a peer label only when peerLabels is on, capped at maxPeers', async () => {
    const off = setup();
    off.transport.emit('messageSent', { transport: 'quic', peer: 'p1', method: 'm', bytes: 1 });
    expect((await samplesOf(off.metrics.messagesSent))[0].labels).toEqual({ transport: 'quic', method: 'm' });

    const on = setup({ peerLabels: true, maxPeers: 1 });
    on.transport.emit('messageSent', { transport: 'quic', peer: 'p1', method: 'm', bytes: 1 });
    on.transport.emit('messageSent', { transport: 'quic', peer: 'p2', method: 'm', bytes: 1 });
    on.transport.emit('transportError', { transport: 'quic', code: 'E' });
    expect(await valueOf(on.metrics.messagesSent, { transport: 'quic', method: 'm', peer: 'p1' })).toBe(1);
    expect(await valueOf(on.metrics.messagesSent, { transport: 'quic', method: 'm', peer: 'other' })).toBe(1);
    expect(await valueOf(on.metrics.errors, { transport: 'quic', code: 'E', peer: 'other' })).toBe(1);
  });

  it('ignores malformed payloads without throwing, counting them as invalid events', async () => {
    const { metrics, transport } = setup();
    const bad: Array<[string, unknown]> = [
      ['messageSent', { transport: 'quic', peer: 'p', method: 'm', bytes: -1 }],
      ['messageSent', { transport: 'udp', peer: 'p', method: 'm', bytes: 1 }],
      ['messageReceived', { transport: 'quic', peer: 'p', method: 'm', bytes: Number.NaN }],
      ['requestCompleted', { transport: 'quic', peer: 'p', method: 'm', latencyMs: 1, outcome: 'maybe' }],
      ['connectionOpened', { transport: 'quic', peer: 'p', direction: 'sideways', handshakeMs: 1 }],
      ['connectionClosed', null],
      ['transportError', 'boom'],
      ['certificateExpiry', { subject: 'x', secondsLeft: Infinity }],
      ['fallback', { from: 'quic', to: 'udp', peer: 'p' }],
    ];
    for (const [event, payload] of bad) expect(() => transport.emit(event, payload)).not.toThrow();

    expect(await valueOf(metrics.invalidEvents, { event: 'messageSent' })).toBe(2);
    expect(await valueOf(metrics.invalidEvents, { event: 'fallback' })).toBe(1);
    const invalidTotal = (await samplesOf(metrics.invalidEvents)).reduce((sum, s) => sum + s.value, 0);
    expect(invalidTotal).toBe(bad.length);
    expect(await samplesOf(metrics.messagesSent)).toHaveLength(0);
    expect(await valueOf(metrics.quicConnectionsActive, { direction: 'inbound' })).toBe(0);
  });

  it('detach removes every listener it added, retracts open connections and is idempotent', async () => {
    const { metrics, transport, detach } = setup();
    const other = () => {};
    transport.on('messageSent', other);
    transport.emit('connectionOpened', { transport: 'quic', peer: 'p', direction: 'inbound', handshakeMs: 1 });
    for (const event of TRANSPORT_EVENTS) expect(transport.listenerCount(event)).toBe(event === 'messageSent' ? 2 : 1);

    detach();
    detach();
    for (const event of TRANSPORT_EVENTS) expect(transport.listenerCount(event)).toBe(event === 'messageSent' ? 1 : 0);
    expect(transport.listeners('messageSent')).toEqual([other]);
    expect(await valueOf(metrics.quicConnectionsActive, { direction: 'inbound' })).toBe(0);
    transport.emit('messageSent', { transport: 'quic', peer: 'p', method: 'm', bytes: 1 });
    expect(await samplesOf(metrics.messagesSent)).toHaveLength(0);
  });

  it('lets two transports share one TelemetryMetrics', async () => {
    const metrics = createTelemetryMetrics({ defaultMetrics: false, memoryLimitBytes: 1 });
    const quic = new EventEmitter();
    const tcp = new EventEmitter();
    const detachQuic = instrumentTransport(quic, metrics);
    const detachTcp = instrumentTransport(tcp, metrics);
    quic.emit('connectionOpened', { transport: 'quic', peer: 'p', direction: 'outbound', handshakeMs: 2 });
    tcp.emit('connectionOpened', { transport: 'tcp', peer: 'p', direction: 'outbound', handshakeMs: 1 });
    detachTcp();
    expect(await valueOf(metrics.quicConnectionsActive, { direction: 'outbound' })).toBe(1);
    expect(await valueOf(metrics.tcpConnectionsActive, { direction: 'outbound' })).toBe(0);
    detachQuic();
  });
});
