import path from 'node:path';
import type { HistoryStore } from './history-types';
import { migrate } from './migrate';
import { openPgDriver } from './pg-driver';
import type { SqlDriver } from './sql-driver';
import { openSqliteDriver } from './sqlite-driver';
import { SqlHistoryStore } from './sql-history-store';
import { HistoryUnavailableError } from '../run-errors';

/** The default store of a project: `.agentlink/history.db` in it. */
export function defaultHistoryPath(projectDir: string): string {
  return path.join(projectDir, '.agentlink', 'history.db');
}

/**
 * Opens the history store: PostgreSQL for a `postgres://` or `postgresql://` URL, else a
 * node:sqlite file at that path. Migrates the schema. Typed error when it cannot be reached.
 */
export async function openHistoryStore(target: string): Promise<SqlHistoryStore> {
  const driver: SqlDriver = /^postgres(ql)?:\/\//.test(target) ? await openPgDriver(target) : openSqliteDriver(target);
  try {
    await migrate(driver);
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw new HistoryUnavailableError(driver.target, `schema migration failed (${(error as Error).message})`, error);
  }
  return new SqlHistoryStore(driver);
}

export type { HistoryStore };
