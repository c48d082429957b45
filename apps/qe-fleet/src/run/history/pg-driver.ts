import pg from 'pg';
import { HistoryUnavailableError } from '../run-errors';
import type { SqlDriver, SqlExecutor, SqlValue } from './sql-driver';

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${(n += 1)}`);
};

/** PostgreSQL through `pg`: a small pool; BIGINT columns come back as numbers. */
export async function openPgDriver(url: string, connectTimeoutMs = 5_000): Promise<SqlDriver> {
  const target = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 10_000,
  });
  // An idle client's error (server restart) must not end the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new HistoryUnavailableError(target, `cannot connect (${(error as Error).message})`, error);
  }
  const on = (client: pg.Pool | pg.PoolClient): SqlExecutor => ({
    run: async (sql: string, params: readonly SqlValue[] = []) => {
      const result = await client.query({
        text: numbered(sql),
        values: [...params],
        types: {
          getTypeParser: (oid: number, format?: string) =>
            oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text'),
        } as never,
      });
      return { rows: result.rows as Record<string, unknown>[], changes: result.rowCount ?? 0 };
    },
  });
  const base = on(pool);
  return {
    target,
    run: base.run,
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(on(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
