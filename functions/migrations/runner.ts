/**
 * Applies the migrations that a database has not seen, each in its own
 * transaction, under an advisory lock (two runners never interleave), and
 * refuses to continue when an applied migration was edited since.
 */
import { createHash } from 'node:crypto';
import type { Migration } from './migrations';

/** What the runner needs of a PostgreSQL connection (PGlite offers it; `fromNodePostgres` adapts node-postgres). */
export interface Database {
  /** One statement, with parameters (extended protocol). */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  /** A script of several statements, no parameters (simple protocol). */
  exec(sql: string): Promise<unknown>;
}

/** node-postgres runs a parameterless query through the simple protocol, which takes several statements. */
export function fromNodePostgres(client: { query(sql: string, params?: unknown[]): Promise<{ rows: any[] }> }): Database {
  return { query: (sql, params) => client.query(sql, params), exec: (sql) => client.query(sql) };
}

export interface MigrationResult {
  readonly applied: string[];
  readonly alreadyApplied: string[];
}

/** The advisory lock key shared by every runner of this schema. */
const LOCK_KEY = 7_346_219;

export function checksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

export async function migrate(db: Database, migrations: readonly Migration[]): Promise<MigrationResult> {
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length || versions.some((v, i) => i > 0 && v <= versions[i - 1])) {
    throw new Error(`migration versions must be unique and in ascending order: ${versions.join(', ')}`);
  }
  await db.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
  try {
    await db.query('CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await db.query<{ version: string; checksum: string }>('SELECT version, checksum FROM schema_migrations');
    const recorded = new Map(rows.map((row) => [row.version, row.checksum]));
    const unknown = [...recorded.keys()].filter((version) => !versions.includes(version));
    if (unknown.length > 0) throw new Error(`the database has migrations this runner does not know (${unknown.join(', ')}): run a newer release`);
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      const sum = checksum(migration);
      const seen = recorded.get(migration.version);
      if (seen !== undefined) {
        if (seen !== sum) throw new Error(`migration ${migration.version} was changed after it was applied; add a new migration instead`);
        result.alreadyApplied.push(migration.version);
        continue;
      }
      await db.exec('BEGIN');
      try {
        await db.exec(migration.sql);
        await db.query('INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)', [migration.version, sum]);
        await db.exec('COMMIT');
      } catch (error) {
        await db.exec('ROLLBACK');
        throw new Error(`migration ${migration.version} failed and was rolled back: ${(error as Error).message}`);
      }
      result.applied.push(migration.version);
    }
    return result;
  } finally {
    await db.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
  }
}
