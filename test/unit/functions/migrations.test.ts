/**
 * The S2 migration runner (seed 001 §6) against real PostgreSQL (PGlite:
 * PostgreSQL compiled to WebAssembly, in process), and its connection lookup
 * with the AWS SDK mocked at its boundary.
 */
import { describe, expect, test } from '@jest/globals';
import { PGlite } from '@electric-sql/pglite';
import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { connectionSettings } from '../../../functions/migrations/connection';
import { MIGRATIONS, type Migration } from '../../../functions/migrations/migrations';
import { checksum, migrate } from '../../../functions/migrations/runner';

const tables = async (db: PGlite) =>
  (await db.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).rows.map((r) => r.tablename);

describe('S2 migration runner (real PostgreSQL)', () => {
  test('S2 applies every migration once, records it with its checksum, and a second run applies nothing', async () => {
    const db = await PGlite.create();
    expect(await migrate(db, MIGRATIONS)).toEqual({ applied: ['001_payments', '002_payment_events'], alreadyApplied: [] });
    expect(await tables(db)).toEqual(['payment_events', 'payments', 'schema_migrations']);
    const recorded = (await db.query<{ version: string; checksum: string }>('SELECT version, checksum FROM schema_migrations ORDER BY version')).rows;
    expect(recorded).toEqual(MIGRATIONS.map((m) => ({ version: m.version, checksum: checksum(m) })));
    expect(await migrate(db, MIGRATIONS)).toEqual({ applied: [], alreadyApplied: ['001_payments', '002_payment_events'] });
    await db.close();
  });

  test('S2 the schema holds: positive amounts, known statuses', async () => {
    const db = await PGlite.create();
    await migrate(db, MIGRATIONS);
    await expect(db.query("INSERT INTO payments (id, user_id, amount_minor, currency, status) VALUES (gen_random_uuid(), 'u', 0, 'EUR', 'PENDING')")).rejects.toThrow(/amount_minor/);
    await expect(db.query("INSERT INTO payments (id, user_id, amount_minor, currency, status) VALUES (gen_random_uuid(), 'u', 5, 'EUR', 'LOST')")).rejects.toThrow(/status/);
    await db.close();
  });

  test('S2 a failing migration is rolled back whole and not recorded; the ones before it stay', async () => {
    const db = await PGlite.create();
    const broken: Migration = { version: '003_broken', sql: 'CREATE TABLE half (id int); SELECT no_such_function();' };
    await expect(migrate(db, [...MIGRATIONS, broken])).rejects.toThrow('migration 003_broken failed and was rolled back');
    expect(await tables(db)).toEqual(['payment_events', 'payments', 'schema_migrations']);
    expect((await db.query('SELECT version FROM schema_migrations')).rows).toHaveLength(2);
    await db.close();
  });

  test('S2 an applied migration that was edited, or one the runner does not know, stops the run', async () => {
    const db = await PGlite.create();
    await migrate(db, MIGRATIONS);
    const edited = [{ ...MIGRATIONS[0], sql: `${MIGRATIONS[0].sql} -- edited` }, MIGRATIONS[1]];
    await expect(migrate(db, edited)).rejects.toThrow('migration 001_payments was changed after it was applied; add a new migration instead');
    await expect(migrate(db, MIGRATIONS.slice(0, 1))).rejects.toThrow('the database has migrations this runner does not know (002_payment_events): run a newer release');
    await db.close();
  });

  test('S2 versions out of order are refused before anything runs', async () => {
    const db = await PGlite.create();
    await expect(migrate(db, [MIGRATIONS[1], MIGRATIONS[0]])).rejects.toThrow('migration versions must be unique and in ascending order');
    expect(await tables(db)).toEqual([]);
    await db.close();
  });
});

describe('S2 migration runner: where it connects (AWS SDK mocked)', () => {
  const rds = mockClient(RDSClient);
  const secrets = mockClient(SecretsManagerClient);
  const lookups = { rds: new RDSClient({ region: 'us-east-1' }), secrets: new SecretsManagerClient({ region: 'us-east-1' }) };
  const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-abc';

  test('R-G8 the writer endpoint from DescribeDBClusters, the credentials from the RDS-managed secret', async () => {
    rds.reset();
    secrets.reset();
    rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: 'payment-db-prod' }).resolves({
      DBClusters: [{ Endpoint: 'payment-db-prod.cluster-x.us-east-1.rds.amazonaws.com', Port: 5432, MasterUserSecret: { SecretArn: secretArn } }],
    });
    secrets.on(GetSecretValueCommand, { SecretId: secretArn }).resolves({ SecretString: JSON.stringify({ username: 'dbadmin', password: 'from-secrets-manager' }) });
    expect(await connectionSettings(lookups, 'payment-db-prod', 'payments')).toEqual({
      host: 'payment-db-prod.cluster-x.us-east-1.rds.amazonaws.com',
      port: 5432,
      database: 'payments',
      user: 'dbadmin',
      password: 'from-secrets-manager',
    });
  });

  test('a cluster without an endpoint yet, or without a managed secret, is a clear error', async () => {
    rds.reset();
    rds.on(DescribeDBClustersCommand).resolvesOnce({ DBClusters: [{ Status: 'creating' }] }).resolvesOnce({ DBClusters: [{ Endpoint: 'h', Port: 5432 }] });
    await expect(connectionSettings(lookups, 'payment-db-prod', 'payments')).rejects.toThrow('cluster payment-db-prod has no endpoint yet (status creating)');
    await expect(connectionSettings(lookups, 'payment-db-prod', 'payments')).rejects.toThrow('has no RDS-managed master secret');
  });
});
