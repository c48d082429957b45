import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type * as NodeSqlite from 'node:sqlite';
import { HistoryUnavailableError } from '../run-errors';
import type { SqlDriver, SqlExecutor, SqlValue } from './sql-driver';

// Loaded at run time: bundlers rewrite a static `node:sqlite` import to a package named "sqlite".
const sqlite = (): typeof NodeSqlite => process.getBuiltinModule('node:sqlite');

/** node:sqlite (built into Node 24): one file, WAL journal, foreign keys on. */
export function openSqliteDriver(file: string): SqlDriver {
  let db: NodeSqlite.DatabaseSync;
  try {
    const { DatabaseSync } = sqlite();
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new DatabaseSync(file);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  } catch (error) {
    throw new HistoryUnavailableError(file, `cannot open the SQLite database (${(error as Error).message})`, error);
  }
  const executor: SqlExecutor = {
    run: async (sql: string, params: readonly SqlValue[] = []) => {
      const statement = db.prepare(sql);
      if (/^\s*(SELECT|WITH)\b/i.test(sql))
        return { rows: statement.all(...params) as Record<string, unknown>[], changes: 0 };
      const result = statement.run(...params);
      return { rows: [], changes: Number(result.changes) };
    },
  };
  // node:sqlite is synchronous: one transaction at a time in this process, queued.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    target: file,
    run: executor.run,
    transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const next = queue.then(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(executor);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      });
      queue = next.catch(() => undefined);
      return next;
    },
    close: async () => {
      await queue;
      if (db.isOpen) db.close();
    },
  };
}
