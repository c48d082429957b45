/**
 * The history store's one SQL schema, for node:sqlite and PostgreSQL alike, as numbered
 * migrations. Only portable SQL: TEXT, INTEGER, BIGINT, composite keys, no autoincrement.
 * Times are ms since the epoch (BIGINT).
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, the durable task ledger, executions',
    statements: [
      `CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        commit_sha TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        finished_at BIGINT,
        status TEXT NOT NULL,
        exit_code INTEGER,
        config TEXT NOT NULL
      )`,
      `CREATE TABLE ledger_tasks (
        run_id TEXT NOT NULL REFERENCES runs (run_id),
        task_id TEXT NOT NULL,
        task TEXT NOT NULL,
        expected_ms BIGINT NOT NULL,
        booked INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, task_id)
      )`,
      `CREATE TABLE executions (
        run_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        project TEXT NOT NULL,
        commit_sha TEXT NOT NULL,
        test_id TEXT NOT NULL,
        file TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        agent TEXT NOT NULL,
        outcome TEXT NOT NULL,
        duration_ms BIGINT NOT NULL,
        message_digest TEXT,
        message TEXT,
        recorded_at BIGINT NOT NULL,
        PRIMARY KEY (run_id, task_id, seq),
        FOREIGN KEY (run_id, task_id) REFERENCES ledger_tasks (run_id, task_id)
      )`,
      'CREATE INDEX executions_by_test ON executions (test_id, recorded_at)',
      'CREATE INDEX executions_by_project_file ON executions (project, file)',
      'CREATE INDEX runs_by_start ON runs (started_at)',
    ],
  },
];

export const MIGRATIONS_TABLE =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)';
