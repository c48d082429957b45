import { EventEmitter } from 'node:events';
import { instrumentBreaker, instrumentModel, instrumentTransport } from '../../src/index';
import type { Detach, TelemetryMetrics } from '../../src/index';

/** Event sources for one transport, breaker and model, all instrumented into `metrics`. */
export interface InstrumentedSources {
  transport: EventEmitter;
  breaker: EventEmitter;
  model: EventEmitter;
  detach: Detach;
}

export function instrumentAll(metrics: TelemetryMetrics): InstrumentedSources {
  const transport = new EventEmitter();
  const breaker = new EventEmitter();
  const model = new EventEmitter();
  const detachers = [
    instrumentTransport(transport, metrics),
    instrumentBreaker(breaker, metrics),
    instrumentModel(model, metrics, { model: 'flakiness' }),
  ];
  return { transport, breaker, model, detach: () => detachers.forEach((d) => d()) };
}

/** Emits at least one event of every kind, so every metric has a series in the exposition. */
export function emitOneOfEach({ transport, breaker, model }: InstrumentedSources): void {
  transport.emit('connectionOpened', { transport: 'quic', peer: 'executor-1', direction: 'outbound', handshakeMs: 4 });
  transport.emit('roundTrip', { transport: 'quic', peer: 'executor-1', rttMs: 2 });
  transport.emit('requestHandled', { method: 'task.run', handlerMs: 3, outcome: 'ok' });
  transport.emit('connectionOpened', { transport: 'tcp', peer: 'executor-2', direction: 'inbound', handshakeMs: 1 });
  transport.emit('connectionClosed', {
    transport: 'tcp',
    peer: 'executor-2',
    direction: 'inbound',
    reason: 'idle-timeout',
  });
  transport.emit('messageSent', { transport: 'quic', peer: 'executor-1', method: 'task.run', bytes: 512 });
  transport.emit('messageReceived', { transport: 'quic', peer: 'executor-1', method: 'task.run', bytes: 128 });
  transport.emit('requestCompleted', {
    transport: 'quic',
    peer: 'executor-1',
    method: 'task.run',
    latencyMs: 12,
    outcome: 'ok',
  });
  transport.emit('transportError', { transport: 'quic', peer: 'executor-1', code: 'ERR_FRAME_TOO_LARGE' });
  const refused = { transport: 'tcp', peer: '10.0.0.9:4434', code: 'ERR_PEER_CERT_POLICY', reason: 'ca-certificate' };
  transport.emit('transportError', refused);
  transport.emit('certificateExpiry', { subject: 'coordinator', secondsLeft: 30 * 86_400 });
  transport.emit('fallback', { from: 'quic', to: 'tcp', peer: 'executor-3' });
  breaker.emit('stateChange', { key: 'executor-3', from: 'closed', to: 'open' });
  breaker.emit('rejected', { key: 'executor-3' });
  model.emit('prediction', { latencyMs: 3, fallback: false });
  model.emit('prediction', { latencyMs: 100, fallback: true, reason: 'deadline' });
  model.emit('evaluation', { accuracy: 0.9, balancedAccuracy: 0.85, f1: 0.6, precision: 0.7, recall: 0.5 });
  // Counted as invalid.
  transport.emit('messageSent', { transport: 'quic', peer: 'executor-1', method: 'task.run', bytes: -1 });
}

/** Defines one labelled and one unlabelled application counter and gauge, and records values. */
export function defineAppMetrics(metrics: TelemetryMetrics): void {
  const jobs = metrics.defineCounter({
    name: 'app_jobs_total',
    help: 'Jobs done, by outcome.',
    labelNames: ['outcome'],
  });
  jobs.inc({ outcome: 'ok' }, 3);
  jobs.inc({ outcome: 'failed' });
  metrics.defineCounter({ name: 'app_restarts_total', help: 'Restarts.', collect: () => 2 });
  metrics.defineGauge({
    name: 'app_tasks',
    help: 'Tasks by state.',
    labelNames: ['state'],
    collect: () => [
      { labels: { state: 'open' }, value: 4 },
      { labels: { state: 'done' }, value: 6 },
    ],
  });
  metrics.defineGauge({ name: 'app_temperature_celsius', help: 'Temperature.' }).set(21.5);
}
