import { MIGRATIONS, MIGRATIONS_TABLE, type Migration } from './schema';
import type { SqlDriver } from './sql-driver';

/** Applies the migrations the database lacks, each in its own transaction; returns the versions applied. */
export async function migrate(driver: SqlDriver, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await driver.run(MIGRATIONS_TABLE);
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await driver.run('SELECT version FROM schema_migrations WHERE version = ?', [migration.version]);
    if (done.rows.length > 0) continue;
    try {
      await driver.transaction(async (tx) => {
        // The version row first: a second coordinator migrating at the same time fails here and rolls back.
        await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [
          migration.version,
          Date.now(),
        ]);
        for (const statement of migration.statements) await tx.run(statement);
      });
      applied.push(migration.version);
    } catch (error) {
      const now = await driver.run('SELECT version FROM schema_migrations WHERE version = ?', [migration.version]);
      if (now.rows.length === 0) throw error;
    }
  }
  return applied;
}
