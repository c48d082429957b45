import { describe, expect, it } from '@jest/globals';
import { LogLevel } from '@matrixai/logger';
import { InvalidOptionsError } from '@agentlink/resilience';
import { QUIC_LOG_ENV, quicLogger, resolveQuicLogLevel } from '../../src/quic/quic-logger';

describe('QUIC library log level', () => {
  it('is silent by default', () => {
    expect(resolveQuicLogLevel(undefined, {})).toBe('silent');
    expect(resolveQuicLogLevel(undefined, { [QUIC_LOG_ENV]: '' })).toBe('silent');
  });

  it('comes from AGENTLINK_QUIC_LOG (any case) unless the option is given', () => {
    expect(resolveQuicLogLevel(undefined, { [QUIC_LOG_ENV]: 'DEBUG' })).toBe('debug');
    expect(resolveQuicLogLevel('warn', { [QUIC_LOG_ENV]: 'debug' })).toBe('warn');
  });

  it('refuses unknown levels from the option and from the environment with a typed error', () => {
    expect(() => resolveQuicLogLevel('verbose', {})).toThrow(InvalidOptionsError);
    expect(() => resolveQuicLogLevel(3, {})).toThrow(/libraryLogLevel 3 is not one of/);
    expect(() => resolveQuicLogLevel(undefined, { [QUIC_LOG_ENV]: 'loud' })).toThrow(/AGENTLINK_QUIC_LOG=loud/);
  });

  it('maps levels onto @matrixai/logger levels', () => {
    expect(quicLogger('silent').level).toBe(LogLevel.SILENT);
    expect(quicLogger('debug').level).toBe(LogLevel.DEBUG);
    expect(quicLogger('error').level).toBe(LogLevel.ERROR);
  });
});
