/**
 * Lambda entry point of the migration runner (handler `index.handler`), run
 * by the deploy pipeline before a release: `aws lambda invoke --function-name
 * payment-migrations-<env> out.json`. The chart sets DB_CLUSTER_IDENTIFIER,
 * DB_NAME, and NODE_EXTRA_CA_CERTS so that Node trusts the RDS certificate
 * (the database requires TLS, and the certificate is verified).
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import pg from 'pg';
import { connectionSettings } from './connection';
import { MIGRATIONS } from './migrations';
import { fromNodePostgres, migrate, type MigrationResult } from './runner';

const clusterIdentifier = process.env.DB_CLUSTER_IDENTIFIER;
const database = process.env.DB_NAME;
if (!clusterIdentifier || !database) throw new Error('DB_CLUSTER_IDENTIFIER and DB_NAME must be set');
const lookups = { rds: new RDSClient({}), secrets: new SecretsManagerClient({}) };

export async function handler(): Promise<MigrationResult> {
  const settings = await connectionSettings(lookups, clusterIdentifier!, database!);
  const client = new pg.Client({ ...settings, ssl: { rejectUnauthorized: true }, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const result = await migrate(fromNodePostgres(client), MIGRATIONS);
    console.log(JSON.stringify({ level: 'info', message: 'migrations done', ...result }));
    return result;
  } finally {
    await client.end();
  }
}
