import { asRecord, nonNegative, oneOf, subscribe, text } from './subscribe';
import type { Handlers } from './subscribe';
import { zeroInvalidEvents, type TelemetryMetrics } from './telemetry-metrics';
import type { ConnectionDirection, Detach, EventSource, TransportEventMap, TransportKind } from './types';

const TRANSPORTS: readonly TransportKind[] = ['quic', 'tcp'];
const DIRECTIONS: readonly ConnectionDirection[] = ['inbound', 'outbound'];
const OUTCOMES = ['ok', 'error', 'timeout'] as const;

/**
 * Counts a transport's connections, messages, bytes, latency, errors, certificate refusals,
 * handshakes, fallbacks and certificate expiry, and (when the source emits them) network round
 * trips and handler times. Returns a detach that removes its listeners and
 * takes the connections it still saw open out of the active gauges.
 */
export function instrumentTransport(transport: EventSource, metrics: TelemetryMetrics): Detach {
  // Connections this adapter counted as open, so a close it never saw open (or a detach)
  // cannot drive the shared gauge negative or leave it stale.
  const open = new Map<string, number>();
  const gaugeFor = (kind: TransportKind) =>
    kind === 'quic' ? metrics.quicConnectionsActive : metrics.tcpConnectionsActive;
  const { labels } = metrics;

  const messageLabels = (payload: unknown) => {
    const event = asRecord(payload);
    const transportKind = oneOf(event.transport, TRANSPORTS);
    const method = labels.method.label(text(event.method));
    const bytes = nonNegative(event.bytes);
    const base: Record<string, string> = { transport: transportKind, method };
    if (metrics.peerLabels) base.peer = labels.peer.label(text(event.peer));
    return { base, bytes };
  };

  const handlers: Handlers<TransportEventMap> = {
    connectionOpened: (payload) => {
      const event = asRecord(payload);
      const kind = oneOf(event.transport, TRANSPORTS);
      const direction = oneOf(event.direction, DIRECTIONS);
      const seconds = nonNegative(event.handshakeMs) / 1000;
      gaugeFor(kind).inc({ direction });
      const key = `${kind}/${direction}`;
      open.set(key, (open.get(key) ?? 0) + 1);
      metrics.connectionsOpened.inc({ transport: kind, direction });
      metrics.handshakeDuration.observe({ transport: kind, direction }, seconds);
    },
    connectionClosed: (payload) => {
      const event = asRecord(payload);
      const kind = oneOf(event.transport, TRANSPORTS);
      const direction = oneOf(event.direction, DIRECTIONS);
      const reason = labels.reason.label(text(event.reason, 'unknown'));
      const key = `${kind}/${direction}`;
      const count = open.get(key) ?? 0;
      if (count > 0) {
        open.set(key, count - 1);
        gaugeFor(kind).dec({ direction });
      }
      metrics.connectionsClosed.inc({ transport: kind, direction, reason });
    },
    messageSent: (payload) => {
      const { base, bytes } = messageLabels(payload);
      metrics.messagesSent.inc(base);
      metrics.bytesSent.inc(base, bytes);
    },
    messageReceived: (payload) => {
      const { base, bytes } = messageLabels(payload);
      metrics.messagesReceived.inc(base);
      metrics.bytesReceived.inc(base, bytes);
    },
    requestCompleted: (payload) => {
      const event = asRecord(payload);
      const transportKind = oneOf(event.transport, TRANSPORTS);
      const outcome = oneOf(event.outcome, OUTCOMES);
      const seconds = nonNegative(event.latencyMs) / 1000;
      const method = labels.method.label(text(event.method));
      metrics.requestDuration.observe({ transport: transportKind, method, outcome }, seconds);
    },
    transportError: (payload) => {
      const event = asRecord(payload);
      const transportKind = oneOf(event.transport, TRANSPORTS);
      const code = labels.code.label(text(event.code, 'unknown'));
      const errorLabels: Record<string, string> = { transport: transportKind, code };
      if (metrics.peerLabels) errorLabels.peer = labels.peer.label(text(event.peer, 'unknown'));
      metrics.errors.inc(errorLabels);
      // A refused peer certificate: the transport names the rule from a small fixed set.
      if (event.reason !== undefined) {
        const reason = labels.refusalReason.label(text(event.reason));
        metrics.certificateRefusals.inc({ transport: transportKind, reason });
      }
    },
    certificateExpiry: (payload) => {
      const event = asRecord(payload);
      const secondsLeft = event.secondsLeft;
      if (typeof secondsLeft !== 'number' || !Number.isFinite(secondsLeft)) throw new TypeError('secondsLeft');
      metrics.certificateExpiry.set({ subject: labels.subject.label(text(event.subject)) }, secondsLeft);
    },
    fallback: (payload) => {
      const event = asRecord(payload);
      metrics.transportFallbacks.inc({ from: oneOf(event.from, TRANSPORTS), to: oneOf(event.to, TRANSPORTS) });
    },
    roundTrip: (payload) => {
      const event = asRecord(payload);
      metrics.networkRtt.observe({ transport: oneOf(event.transport, TRANSPORTS) }, nonNegative(event.rttMs) / 1000);
    },
    requestHandled: (payload) => {
      const event = asRecord(payload);
      const outcome = oneOf(event.outcome, ['ok', 'error'] as const);
      metrics.handlerDuration.observe(
        { method: labels.method.label(text(event.method)), outcome },
        nonNegative(event.handlerMs) / 1000,
      );
    },
  };

  const detach = subscribe(transport, handlers, (event) => metrics.invalidEvents.inc({ event }));
  zeroInvalidEvents(metrics, handlers);
  let detached = false;
  return () => {
    if (detached) return;
    detached = true;
    detach();
    for (const [key, count] of open) {
      const [kind, direction] = key.split('/') as [TransportKind, ConnectionDirection];
      if (count > 0) gaugeFor(kind).dec({ direction }, count);
    }
    open.clear();
  };
}
