import { describe, it, expect } from '@jest/globals';
import {
  InvalidTelemetryOptionsError,
  MetricsAlreadyRegisteredError,
  MetricsServerListenError,
  TelemetryError,
} from '../src/index';

describe('telemetry errors', () => {
  const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
  const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
  it.each([
    [
      new InvalidTelemetryOptionsError('port must be an integer'),
      'InvalidTelemetryOptionsError',
      'ERR_INVALID_OPTIONS',
      false,
    ],
    [
      new MetricsAlreadyRegisteredError('neural_accuracy'),
      'MetricsAlreadyRegisteredError',
      'ERR_METRICS_ALREADY_REGISTERED',
      false,
    ],
    [
      new MetricsServerListenError('127.0.0.1', 9464, inUse),
      'MetricsServerListenError',
      'ERR_METRICS_SERVER_LISTEN',
      true,
    ],
    [
      new MetricsServerListenError('127.0.0.1', 80, denied),
      'MetricsServerListenError',
      'ERR_METRICS_SERVER_LISTEN',
      false,
    ],
  ])('%s has a stable name, code and retryable flag', (err, name, code, retryable) => {
    expect(err).toBeInstanceOf(TelemetryError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
    expect(err.message.length).toBeGreaterThan(20);
  });

  it('keeps the cause of a listen failure', () => {
    const err = new MetricsServerListenError('127.0.0.1', 9464, inUse);
    expect(err.cause).toBe(inUse);
    expect(err.message).toContain('EADDRINUSE');
    expect(new InvalidTelemetryOptionsError('x').cause).toBeUndefined();
  });
});
