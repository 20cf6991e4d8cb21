/**
 * Where the migration runner connects, found at run time (the chart cannot
 * know: RDS assigns the endpoint and keeps the password in Secrets Manager):
 * the cluster's writer endpoint and its RDS-managed master secret.
 */
import { DescribeDBClustersCommand, type RDSClient } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface ConnectionLookups {
  readonly rds: Pick<RDSClient, 'send'>;
  readonly secrets: Pick<SecretsManagerClient, 'send'>;
}

export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

export async function connectionSettings(lookups: ConnectionLookups, clusterIdentifier: string, database: string): Promise<ConnectionSettings> {
  const { DBClusters } = await lookups.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterIdentifier }));
  const cluster = DBClusters?.[0];
  if (!cluster?.Endpoint || !cluster.Port) throw new Error(`cluster ${clusterIdentifier} has no endpoint yet (status ${cluster?.Status ?? 'unknown'})`);
  const secretArn = cluster.MasterUserSecret?.SecretArn;
  if (!secretArn) throw new Error(`cluster ${clusterIdentifier} has no RDS-managed master secret (manageMasterUserPassword)`);
  const { SecretString } = await lookups.secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const secret = JSON.parse(SecretString ?? '{}') as { username?: string; password?: string };
  if (!secret.username || !secret.password) throw new Error(`secret ${secretArn} holds no username and password`);
  return { host: cluster.Endpoint, port: cluster.Port, database, user: secret.username, password: secret.password };
}
