/** Parameter values the store binds. */
export type SqlValue = string | number | null;

/** A row as the drivers return it (column name → value). */
export type SqlRow = Record<string, unknown>;

/**
 * The two calls the history store needs from a database, so one store and one schema serve
 * node:sqlite and PostgreSQL. SQL uses `?` placeholders; the PostgreSQL driver numbers them.
 */
export interface SqlExecutor {
  /** Runs a statement; resolves with its rows (empty for writes) and the rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ rows: SqlRow[]; changes: number }>;
}

export interface SqlDriver extends SqlExecutor {
  /** What it is connected to, for errors and logs (no password). */
  readonly target: string;
  /** Runs `work` in one transaction: all of it commits, or none of it. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
