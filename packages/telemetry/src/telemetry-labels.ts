import { LabelLimiter } from './label-limiter';
import type { TelemetryLabels, TelemetryMetricsOptions } from './types';

/** Bounded label sets: peers and breaker keys up to maxPeers, methods up to maxMethods, the rest maxLabelValues. */
export function createTelemetryLabels(options: TelemetryMetricsOptions): TelemetryLabels {
  const maxValues = options.maxLabelValues ?? 32;
  const maxPeers = options.maxPeers ?? 64;
  const values = (): LabelLimiter => new LabelLimiter({ max: maxValues, name: 'maxLabelValues' });
  const peers = (): LabelLimiter => new LabelLimiter({ max: maxPeers, name: 'maxPeers' });
  return {
    method: new LabelLimiter({ allow: options.methods, max: options.maxMethods ?? 32, name: 'maxMethods' }),
    peer: peers(),
    code: values(),
    reason: values(),
    refusalReason: values(),
    subject: values(),
    breakerKey: peers(),
    fallbackReason: values(),
    model: values(),
  };
}
