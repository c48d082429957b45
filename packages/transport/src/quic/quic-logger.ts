import Logger, { LogLevel } from '@matrixai/logger';
import { InvalidOptionsError } from '@agentlink/resilience';
import type { QuicLibraryLogLevel } from '../types';

/** The environment variable that sets `libraryLogLevel` when the option is not given. */
export const QUIC_LOG_ENV = 'AGENTLINK_QUIC_LOG';

const LEVELS: Readonly<Record<QuicLibraryLogLevel, LogLevel>> = {
  silent: LogLevel.SILENT,
  error: LogLevel.ERROR,
  warn: LogLevel.WARN,
  info: LogLevel.INFO,
  debug: LogLevel.DEBUG,
};

/** The option wins over the environment; both are validated (a typo must not silence a debug session). */
export function resolveQuicLogLevel(option: unknown, env: NodeJS.ProcessEnv = process.env): QuicLibraryLogLevel {
  const fromEnv = env[QUIC_LOG_ENV];
  const value = option ?? (fromEnv === undefined || fromEnv === '' ? 'silent' : fromEnv.toLowerCase());
  if (typeof value === 'string' && Object.hasOwn(LEVELS, value)) return value as QuicLibraryLogLevel;
  const source =
    option === undefined ? `${QUIC_LOG_ENV}=${String(fromEnv)}` : `libraryLogLevel ${JSON.stringify(option)}`;
  throw new InvalidOptionsError(`${source} is not one of ${Object.keys(LEVELS).join(', ')}`);
}

/** A @matrixai/quic logger at `level`, writing to stderr (the library's console handler). */
export function quicLogger(level: QuicLibraryLogLevel): Logger {
  return new Logger('agentlink-quic', LEVELS[level]);
}
